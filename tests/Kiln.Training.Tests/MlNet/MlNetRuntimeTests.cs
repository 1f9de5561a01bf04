using System.Text;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.MlNet;
using Kiln.Training.Packaging;
using Kiln.Training.Tests.Support;
using Kiln.Training.Training;

namespace Kiln.Training.Tests.MlNet;

[Collection(BankSweepCollection.Name)]
public class MlNetRuntimeTests(BankSweepFixture fixture)
{
    private static float[] Probabilities(InferenceResult result) => (float[])result.Outputs.Single(o => o.Name == "probabilities").Data;

    private static Stream Open(string directory, string file) => File.OpenRead(Path.Combine(directory, file));

    [Fact]
    public async Task Predict_ValidationBatch_MatchesMlNetEvaluationForEveryAlgorithm()
    {
        var validation = await ValidationSet.LoadAsync(fixture);
        var batch = validation.Batch(validation.Rows);

        foreach (var trial in fixture.Result.Trials)
        {
            var expected = validation.MlNetProbabilities(trial.PackageDirectory);
            using var runtime = MlNetPackage.Load(trial.PackageDirectory);

            var result = runtime.Predict(batch, null);

            var probabilities = Probabilities(result);
            var labels = (string[])result.Outputs[0].Data;
            Assert.Equal(expected.Length * 2, probabilities.Length);
            for (var r = 0; r < expected.Length; r++)
            {
                var p = probabilities[(2 * r) + 1];
                Assert.True(Math.Abs(expected[r] - p) <= 1e-5, $"{trial.Algorithm} row {r}: {p} vs {expected[r]}");
                Assert.Equal(1f, probabilities[2 * r] + p, 5);
                Assert.Equal(p > 0.5f ? "yes" : "no", labels[r]);
            }

            // The recorded metrics are those of exactly these probabilities and labels.
            Assert.Equal(trial.Metrics[TrialMetrics.Auc], Auc(probabilities, validation.Positive), 9);
            var correct = labels.Where((label, r) => (label == "yes") == validation.Positive[r]).Count();
            Assert.Equal(trial.Metrics[TrialMetrics.Accuracy], correct / (double)labels.Length, 9);
        }
    }

    [Fact]
    public async Task Predict_SingleRows_MatchTheBatchAndMlNetEvaluation()
    {
        var validation = await ValidationSet.LoadAsync(fixture);
        var rows = validation.Rows.Take(300).ToArray();
        var best = fixture.Result.Best;
        var expected = validation.MlNetProbabilities(best.PackageDirectory);
        using var runtime = MlNetPackage.Load(best.PackageDirectory);

        for (var i = 0; i < rows.Length; i++)
        {
            var result = runtime.Predict(validation.Batch([rows[i]]), null);

            var p = Probabilities(result)[1];
            Assert.True(Math.Abs(expected[i] - p) <= 1e-5, $"row {i}: {p} vs {expected[i]}");
            Assert.Equal(p > 0.5f ? "yes" : "no", ((string[])result.Outputs[0].Data)[0]);
        }
    }

    [Fact]
    public async Task Predict_ParallelCalls_GiveTheSequentialAnswers()
    {
        var validation = await ValidationSet.LoadAsync(fixture);
        var batches = validation.Rows.Take(200).Select(r => validation.Batch([r])).Append(validation.Batch(validation.Rows.Take(150).ToArray())).ToArray();
        using var runtime = MlNetPackage.Load(fixture.Result.Best.PackageDirectory);
        var expected = batches.Select(b => Probabilities(runtime.Predict(b, null))).ToArray();

        var failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (var i = 0; i < batches.Length; i++)
            {
                var index = (i + (worker * 37)) % batches.Length;
                if (!Probabilities(runtime.Predict(batches[index], null)).SequenceEqual(expected[index]))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public async Task Predict_UnseenCategoryAndMissingNumber_StillScores()
    {
        var validation = await ValidationSet.LoadAsync(fixture);
        using var runtime = MlNetPackage.Load(fixture.Result.Best.PackageDirectory);
        var batch = validation.Batch(validation.Rows.Take(100).ToArray());
        var job = batch.Inputs.Single(t => t.Name == "job");
        var balance = batch.Inputs.Single(t => t.Name == "balance");
        ((string[])job.Data)[0] = "astronaut";
        ((string[])job.Data)[99] = "astronaut";
        ((float[])balance.Data)[0] = float.NaN;
        ((float[])balance.Data)[99] = float.NaN;

        var batched = Probabilities(runtime.Predict(batch, null));
        var single = Probabilities(runtime.Predict(new InferenceBatch(batch.Inputs.Select(t => Row(t, 0)).ToArray(), 1), null));

        Assert.All(batched, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(batched[..2], single);
    }

    [Fact]
    public void Predict_RequestedOutputs_ReturnsThoseInThatOrder()
    {
        using var runtime = MlNetPackage.Load(fixture.Result.Best.PackageDirectory);
        var batch = ExampleBatch(runtime.Signature, MlNetPackage.ReadManifest(fixture.Result.Best.PackageDirectory));

        var result = runtime.Predict(batch, ["probabilities", "label"]);

        Assert.Equal(["probabilities", "label"], result.Outputs.Select(o => o.Name));
        Assert.Equal(["no", "yes"], result.Outputs[0].Labels);
        Assert.Equal([2L, 2L], result.Outputs[0].Shape);
        Assert.Equal(TensorDataType.Bytes, result.Outputs[1].DataType);
        var error = Assert.Throws<KilnException>(() => runtime.Predict(batch, ["score"]));
        Assert.Equal("outputs", error.Field);
    }

    [Fact]
    public void Load_ManifestFromThePackage_ServesItsV2InputExample()
    {
        var directory = fixture.Result.Best.PackageDirectory;
        var manifest = MlNetPackage.ReadManifest(directory);

        using var runtime = new MlNetRuntimeFactory().Load(manifest, file => Open(directory, file));
        var result = runtime.Predict(ExampleBatch(runtime.Signature, manifest), null);

        Assert.Equal(ModelFlavors.MlNet, new MlNetRuntimeFactory().Flavor);
        Assert.Same(manifest.Signature, runtime.Signature);
        Assert.Equal(2, ((string[])result.Outputs[0].Data).Length);
        Assert.All((string[])result.Outputs[0].Data, label => Assert.Contains(label, new[] { "no", "yes" }));
    }

    [Fact]
    public void Load_WithoutFlavorOptions_IsInvalid()
    {
        var directory = fixture.Result.Best.PackageDirectory;
        var manifest = MlNetPackage.ReadManifest(directory) with { FlavorOptions = null };

        var error = Assert.Throws<KilnException>(() => new MlNetRuntimeFactory().Load(manifest, file => Open(directory, file)));

        Assert.Equal("flavorOptions", error.Field);
    }

    [Fact]
    public void Load_CategoricalInputDeclaredAsNumber_IsInvalidNamingTheInput()
    {
        var directory = fixture.Result.Best.PackageDirectory;
        var manifest = MlNetPackage.ReadManifest(directory);
        var inputs = manifest.Signature.Inputs.Select(i => i.Name == "job" ? i with { DataType = TensorDataType.Fp32 } : i).ToArray();
        manifest = manifest with { Signature = manifest.Signature with { Inputs = inputs } };

        var error = Assert.Throws<KilnException>(() => new MlNetRuntimeFactory().Load(manifest, file => Open(directory, file)));

        Assert.Equal("signature", error.Field);
        Assert.Contains("'job'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FeatureCountDifferingFromTheModel_IsInvalid()
    {
        var directory = fixture.Result.Best.PackageDirectory;
        var manifest = MlNetPackage.ReadManifest(directory);
        var options = MlNetFlavorOptions.Parse(manifest.FlavorOptions);
        var fewer = options with { NumericInputs = options.NumericInputs.Skip(1).ToArray() };
        manifest = manifest with
        {
            FlavorOptions = fewer.ToDictionary(),
            Signature = manifest.Signature with { Inputs = manifest.Signature.Inputs.Where(i => i.Name != options.NumericInputs[0]).ToArray() },
        };

        var error = Assert.Throws<KilnException>(() => new MlNetRuntimeFactory().Load(manifest, file => Open(directory, file)));

        Assert.Equal("model.zip", error.Field);
    }

    [Fact]
    public void Load_CorruptModelFile_IsInvalidNamingTheFile()
    {
        var manifest = MlNetPackage.ReadManifest(fixture.Result.Best.PackageDirectory);

        var error = Assert.Throws<KilnException>(() => new MlNetRuntimeFactory().Load(manifest, _ => new MemoryStream(Encoding.UTF8.GetBytes("not a zip"))));

        Assert.Equal("model.zip", error.Field);
    }

    private static InferenceBatch ExampleBatch(ModelSignature signature, ModelManifest manifest) =>
        V2RequestDecoder.Decode(Encoding.UTF8.GetBytes(manifest.InputExample!.Value.GetRawText()), new InputLayout(signature)).Batch;

    private static Tensor Row(Tensor tensor, int row) => tensor.Data switch
    {
        float[] f => new Tensor(tensor.Name, tensor.DataType, [1, 1], new[] { f[row] }, 1),
        string[] s => new Tensor(tensor.Name, tensor.DataType, [1, 1], new[] { s[row] }, 1),
        _ => throw new NotSupportedException(),
    };

    /// <summary>Exact ROC AUC (Mann–Whitney, ties counted half) of P(positive) in column 1 of a [n, 2] matrix.</summary>
    private static double Auc(float[] probabilities, bool[] positive)
    {
        var scores = Enumerable.Range(0, positive.Length).Select(i => (Score: probabilities[(2 * i) + 1], Positive: positive[i])).OrderBy(s => s.Score).ToArray();
        double rankSum = 0;
        var i = 0;
        while (i < scores.Length)
        {
            var j = i;
            while (j + 1 < scores.Length && scores[j + 1].Score == scores[i].Score)
            {
                j++;
            }

            var rank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (scores[k].Positive)
                {
                    rankSum += rank;
                }
            }

            i = j + 1;
        }

        double positives = positive.Count(p => p);
        var negatives = positive.Length - positives;
        return (rankSum - (positives * (positives + 1) / 2)) / (positives * negatives);
    }
}
