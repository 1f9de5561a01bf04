using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.MlNet;
using Kiln.Inference.Runtime;
using Kiln.Inference.Writers;
using Kiln.Training.Data;
using Kiln.Training.Demo;
using Kiln.Training.Packaging;
using Kiln.Training.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Benchmarks;

/// <summary>
/// The mlnet flavor's serving path on the bank demo model (45,211 training rows from the generator,
/// seed 1, without <c>duration</c>; one trial of the algorithm), scoring held-out rows (seed 2):
/// Kiln's runtime (pooled prediction engines) and the full v2 path (decode + validate + score +
/// write), against ML.NET's PredictionEngine alone on prebuilt rows, and against one ML.NET
/// <c>Transform</c> over the whole batch (the path the runtime does not take: it costs ~0.4 ms even
/// for one row and is no faster per row at 1000).
/// </summary>
[MemoryDiagnoser]
public class MlNetServingBenchmarks
{
    private string _tempDir = null!;
    private IModelRuntime _runtime = null!;
    private ITransformer _model = null!;
    private IDataView _rowsView = null!;
    private InputLayout _layout = null!;
    private InferenceBatch _batch = null!;
    private byte[] _v2Body = null!;
    private PredictionEngine<MlNetFeatureRow, BinaryScore> _engine = null!;
    private MlNetFeatureRow[] _rows = null!;
    private BinaryScore _score = new();
    private readonly ArrayBufferWriter<byte> _output = new(256 * 1024);

    [Params(SweepAlgorithms.LogReg, SweepAlgorithms.FastTree, SweepAlgorithms.LightGbm)]
    public string Algorithm { get; set; } = SweepAlgorithms.LightGbm;

    [Params(1, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tempDir = Directory.CreateTempSubdirectory("kiln-bench-mlnet").FullName;
        var data = BankMarketingGenerator.WriteFile(Path.Combine(_tempDir, "bank.csv"), 45_211, seed: 1);
        var result = new SweepTrainer().RunAsync(new SweepOptions
        {
            DataPath = data,
            Label = BankMarketingGenerator.LabelColumn,
            OutputDirectory = Path.Combine(_tempDir, "sweep"),
            ExcludeColumns = ["duration"],
            Algorithms = [Algorithm],
            Trials = 1,
        }).GetAwaiter().GetResult();
        var package = result.Best.PackageDirectory;
        var manifest = MlNetPackage.ReadManifest(package);
        Stream Open(string file) => File.OpenRead(Path.Combine(package, file));
        _runtime = new MlNetRuntimeFactory().Load(manifest, Open);
        _layout = new InputLayout(_runtime.Signature);

        var heldOut = BankMarketingGenerator.WriteFile(Path.Combine(_tempDir, "held-out.csv"), Rows, seed: 2);
        var table = TabularReader.LoadAsync(heldOut, ["duration", "y"]).GetAwaiter().GetResult();
        var columns = manifest.Signature.Inputs.Select(i => table.Columns.Single(c => c.Name == i.Name)).ToArray();
        _batch = new InferenceBatch(columns.Select(Tensor).ToArray(), Rows);
        _v2Body = Encoding.UTF8.GetBytes(V2RequestWriter.ToJson(_batch).GetRawText());

        var options = MlNetFlavorOptions.Parse(manifest.FlavorOptions);
        var ml = new MLContext(0);
        _model = ml.Model.Load(Path.Combine(package, MlNetPackage.ModelFile), out _);
        var rowSchema = MlNetFeatureRow.Schema(options.NumericInputs.Count, options.CategoricalInputs.Count);
        _engine = ml.Model.CreatePredictionEngine<MlNetFeatureRow, BinaryScore>(_model, inputSchemaDefinition: rowSchema);
        _rows = Enumerable.Range(0, Rows).Select(r => new MlNetFeatureRow
        {
            Numeric = options.NumericInputs.Select(n => (float)table.Columns.Single(c => c.Name == n).Numbers![r]).ToArray(),
            Categorical = options.CategoricalInputs.Select(n => table.Columns.Single(c => c.Name == n).Values![r] ?? "").ToArray(),
        }).ToArray();
        _rowsView = ml.Data.LoadFromEnumerable(_rows, rowSchema);
    }

    private Tensor Tensor(TabularColumn column) => column.Kind == ColumnKind.Numeric
        ? new Tensor(column.Name, TensorDataType.Fp32, [Rows, 1], column.Numbers!.Select(v => (float)v).ToArray(), Rows)
        : new Tensor(column.Name, TensorDataType.Bytes, [Rows, 1], column.Values!.Select(v => v ?? "").ToArray(), Rows);

    [Benchmark(Baseline = true, Description = "ML.NET PredictionEngine alone")]
    public float PredictionEngineOnly()
    {
        var total = 0f;
        foreach (var row in _rows)
        {
            _engine.Predict(row, ref _score);
            total += _score.Probability;
        }

        return total;
    }

    [Benchmark(Description = "ML.NET Transform over the batch")]
    public float TransformOnly()
    {
        var total = 0f;
        foreach (var p in _model.Transform(_rowsView).GetColumn<float>("Probability"))
        {
            total += p;
        }

        return total;
    }

    [Benchmark(Description = "Kiln runtime: Predict")]
    public int KilnPredict() => _runtime.Predict(_batch, null).Outputs.Count;

    [Benchmark(Description = "Kiln v2: decode + validate + score + write")]
    public int KilnV2()
    {
        _output.ResetWrittenCount();
        var request = V2RequestDecoder.Decode(_v2Body, _layout);
        var result = _runtime.Predict(request.Batch, request.Outputs);
        V2ResponseWriter.Write(_output, result, new ResponseContext("bank", "bank", 1, "id"));
        return _output.WrittenCount;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.Dispose();
        _engine.Dispose();
        Directory.Delete(_tempDir, recursive: true);
    }

    /// <summary>The column the runtime reads from a calibrated binary model.</summary>
    public sealed class BinaryScore
    {
        public float Probability { get; set; }
    }
}
