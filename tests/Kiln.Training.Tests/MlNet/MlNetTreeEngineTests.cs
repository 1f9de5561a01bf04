using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;
using Kiln.Training.Data;
using Kiln.Training.Packaging;
using Kiln.Training.Tests.Support;
using Kiln.Training.Training;

namespace Kiln.Training.Tests.MlNet;

/// <summary>
/// The compiled tree engine standing in for ML.NET: which mlnet models it serves, and that its answers are ML.NET's,
/// bit for bit, on the bank sweep and on sweeps of generated data (many tree shapes, missing values, unseen categories).
/// </summary>
[Collection(BankSweepCollection.Name)]
public class MlNetTreeEngineTests(BankSweepFixture fixture)
{
    [Fact]
    public void Load_TreeTrials_AreCompiledAndLinearOnesStayWithMlNet()
    {
        foreach (var trial in fixture.Result.Trials)
        {
            using var runtime = MlNetPackage.Load(trial.PackageDirectory);

            var engine = Assert.IsAssignableFrom<IReportsModelEngine>(runtime).Engine;
            if (trial.Algorithm == SweepAlgorithms.LogReg)
            {
                Assert.Equal(ModelEngine.MlNet, engine.Name);
                Assert.Contains("LinearBinaryModelParameters", engine.Detail, StringComparison.Ordinal);
                Assert.Same(runtime, runtime.ReferenceRuntime);
            }
            else
            {
                Assert.Equal(ModelEngine.CompiledTrees, engine.Name);
                Assert.Contains("trees", engine.Detail, StringComparison.Ordinal);
                Assert.NotSame(runtime, runtime.ReferenceRuntime);
                Assert.Equal(ModelEngine.MlNet, Assert.IsAssignableFrom<IReportsModelEngine>(runtime.ReferenceRuntime).Engine.Name);
            }
        }
    }

    [Fact]
    public async Task Predict_ValidationRows_AreMlNetsAnswersBitForBit()
    {
        var validation = await ValidationSet.LoadAsync(fixture);
        var batch = validation.Batch(validation.Rows);

        foreach (var trial in fixture.Result.Trials.Where(t => t.Algorithm != SweepAlgorithms.LogReg))
        {
            using var runtime = MlNetPackage.Load(trial.PackageDirectory);

            AssertSameAnswers(runtime.ReferenceRuntime.Predict(batch, null), runtime.Predict(batch, null), trial.Algorithm);
            foreach (var row in validation.Rows.Take(50))
            {
                var single = validation.Batch([row]);
                AssertSameAnswers(runtime.ReferenceRuntime.Predict(single, null), runtime.Predict(single, null), $"{trial.Algorithm} row {row}");
            }
        }
    }

    [Fact]
    public void Predict_MissingUnseenAndEmptyValues_AreMlNetsAnswers()
    {
        var trial = fixture.Result.Trials.First(t => t.Algorithm == SweepAlgorithms.FastTree);
        using var runtime = MlNetPackage.Load(trial.PackageDirectory);
        var batch = OddRows(runtime.Signature, rows: 64);

        AssertSameAnswers(runtime.ReferenceRuntime.Predict(batch, null), runtime.Predict(batch, null), "odd rows");
    }

    [Fact]
    public async Task Predict_GeneratedBinaryAndRegressionModels_AreMlNetsAnswersBitForBit()
    {
        using var directory = new TempDirectory();
        (string Data, string Label)[] tables =
        [
            (SyntheticData.Binary(directory.File("binary.csv"), 3_000, seed: 11), "outcome"),
            (SyntheticData.Regression(directory.File("regression.csv"), 2_000, seed: 12), "y"),
        ];

        var compiled = 0;
        foreach (var (data, label) in tables)
        {
            var result = await new SweepTrainer().RunAsync(new SweepOptions
            {
                DataPath = data, Label = label, OutputDirectory = directory.File(Path.GetFileNameWithoutExtension(data)),
                Algorithms = [SweepAlgorithms.FastTree, SweepAlgorithms.LightGbm], Trials = 4, Seed = 5,
            });
            var table = await TabularReader.LoadAsync(data, [label]);
            var features = new FeatureSet(table.Columns.ToArray());
            var batch = PackageBuilder.Example(features, Enumerable.Range(0, table.Rows).ToArray());

            foreach (var trial in result.Trials)
            {
                using var runtime = MlNetPackage.Load(trial.PackageDirectory);
                var engine = ((IReportsModelEngine)runtime).Engine;
                Assert.True(engine.Name == ModelEngine.CompiledTrees, $"{trial.Algorithm} {string.Join(";", trial.Parameters)}: {engine.Detail}");
                compiled++;

                AssertSameAnswers(runtime.ReferenceRuntime.Predict(batch, null), runtime.Predict(batch, null), $"{label} {trial.Algorithm} {string.Join(";", trial.Parameters)}");
                var odd = OddRows(runtime.Signature, rows: 100);
                AssertSameAnswers(runtime.ReferenceRuntime.Predict(odd, null), runtime.Predict(odd, null), $"{label} {trial.Algorithm} odd rows");
            }
        }

        Assert.Equal(8, compiled);
    }

    [Fact]
    public async Task Predict_MulticlassOneVersusAllModels_AreMlNetsAnswersBitForBit()
    {
        // FastTree one-versus-all (calibrated probabilities, normalized) and LightGBM multiclass (softmax).
        using var directory = new TempDirectory();
        var data = SyntheticData.Multiclass(directory.File("iris.csv"), 900, seed: 3);
        var result = await new SweepTrainer().RunAsync(new SweepOptions
        {
            DataPath = data, Label = "species", OutputDirectory = directory.File("out"),
            Algorithms = [SweepAlgorithms.FastTree, SweepAlgorithms.LightGbm], Trials = 4, Seed = 2,
        });
        var table = await TabularReader.LoadAsync(data, ["species"]);
        var batch = PackageBuilder.Example(new FeatureSet(table.Columns.ToArray()), Enumerable.Range(0, table.Rows).ToArray());

        Assert.Contains(result.Trials, t => t.Algorithm == SweepAlgorithms.FastTree);
        Assert.Contains(result.Trials, t => t.Algorithm == SweepAlgorithms.LightGbm);
        foreach (var trial in result.Trials)
        {
            using var runtime = MlNetPackage.Load(trial.PackageDirectory);
            var engine = ((IReportsModelEngine)runtime).Engine;
            Assert.True(engine.Name == ModelEngine.CompiledTrees, $"{trial.Algorithm}: {engine.Detail}");

            AssertSameAnswers(runtime.ReferenceRuntime.Predict(batch, null), runtime.Predict(batch, null), $"multiclass {trial.Algorithm} {string.Join(";", trial.Parameters)}");
            var odd = OddRows(runtime.Signature, rows: 100);
            AssertSameAnswers(runtime.ReferenceRuntime.Predict(odd, null), runtime.Predict(odd, null), $"multiclass {trial.Algorithm} odd rows");
        }
    }

    /// <summary>Rows of missing, extreme and unseen values for every input of <paramref name="signature"/>.</summary>
    private static InferenceBatch OddRows(ModelSignature signature, int rows)
    {
        var random = new Random(rows);
        float[] numbers = [float.NaN, 0f, -1f, 1e9f, -1e9f, 0.25f, 7f, 33f, 1e-20f];
        string?[] categories = [null, "", "unknown", "UNKNOWN", " married", "green", "blue", "shade-3", "shade-99", "yes", "no", "management", "Management"];
        var tensors = signature.Inputs.Select(input =>
        {
            if (input.DataType == TensorDataType.Bytes)
            {
                var text = Enumerable.Range(0, rows).Select(_ => categories[random.Next(categories.Length)]!).ToArray();
                return new Tensor(input.Name, TensorDataType.Bytes, [rows, 1], text, rows);
            }

            var values = Enumerable.Range(0, rows).Select(_ => numbers[random.Next(numbers.Length)]).ToArray();
            return input.DataType == TensorDataType.Fp32
                ? new Tensor(input.Name, TensorDataType.Fp32, [rows, 1], values, rows)
                : new Tensor(input.Name, TensorDataType.Fp64, [rows, 1], values.Select(v => (double)v).ToArray(), rows);
        }).ToArray();
        return new InferenceBatch(tensors, rows);
    }

    private static void AssertSameAnswers(InferenceResult expected, InferenceResult actual, string what)
    {
        Assert.Equal(expected.Outputs.Select(o => o.Name), actual.Outputs.Select(o => o.Name));
        for (var i = 0; i < expected.Outputs.Count; i++)
        {
            var (e, a) = (expected.Outputs[i], actual.Outputs[i]);
            Assert.Equal(e.DataType, a.DataType);
            Assert.Equal(e.Shape, a.Shape);
            Assert.Equal(e.Labels, a.Labels);
            if (e.Data is float[] floats)
            {
                var actualFloats = (float[])a.Data;
                for (var j = 0; j < e.Length; j++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(floats[j]) == BitConverter.SingleToInt32Bits(actualFloats[j]), $"{what}: {e.Name}[{j}] is {actualFloats[j]:R}, ML.NET says {floats[j]:R}");
                }
            }
            else
            {
                Assert.Equal((string[])e.Data, (string[])a.Data);
            }
        }
    }
}
