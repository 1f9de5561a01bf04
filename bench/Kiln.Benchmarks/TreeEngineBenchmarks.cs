using BenchmarkDotNet.Attributes;
using Kiln.Core.Tensors;
using Kiln.Inference.Packaging;
using Kiln.Inference.Onnx;
using Kiln.Inference.Runtime;

namespace Kiln.Benchmarks;

/// <summary>
/// The compiled tree engine against ONNX Runtime (one intra-op thread, as Kiln runs it) on the same model and
/// the same rows, both through the runtime interface Kiln serves with (input tensor in, output tensors out).
/// Models: KILN_BENCH_TREE_MODELS, a comma-separated list of 7-feature tree .onnx files (bench/trees/run.sh makes them).
/// </summary>
[MemoryDiagnoser]
public class TreeEngineBenchmarks
{
    private IModelRuntime _compiled = null!;
    private IModelRuntime _reference = null!;
    private InferenceBatch _batch = null!;
    private string _directory = null!;

    private static string[] ModelPaths =>
        (Environment.GetEnvironmentVariable("KILN_BENCH_TREE_MODELS") ?? throw new InvalidOperationException("Set KILN_BENCH_TREE_MODELS (bench/trees/run.sh)."))
        .Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The models by file name (the table's Model column).</summary>
    public static IEnumerable<string> Models() => ModelPaths.Select(Path.GetFileName)!;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    [Params(1, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("kiln-trees").FullName;
        File.Copy(ModelPaths.Single(p => Path.GetFileName(p) == Model), Path.Combine(_directory, "model.onnx"));
        var package = ModelPackageImporter.Import(_directory, new ImportOptions());
        _compiled = new OnnxRuntimeFactory().Load(package.Manifest, path => File.OpenRead(Path.Combine(_directory, path)));
        if (ReferenceEquals(_compiled, _compiled.ReferenceRuntime))
        {
            throw new InvalidOperationException($"{Model} is not served by the compiled engine: {package.Manifest.Metadata.GetValueOrDefault("kiln.engine.detail")}");
        }

        _reference = _compiled.ReferenceRuntime;
        var random = new Random(7);
        var data = new float[Rows * 7];
        for (var r = 0; r < Rows; r++)
        {
            float[] row = [random.Next(18, 90), random.Next(-2000, 20000), random.Next(1, 31), random.Next(0, 3000), random.Next(1, 20), random.Next(5) == 0 ? random.Next(1, 400) : -1, random.Next(0, 5)];
            row.CopyTo(data, r * 7);
        }

        _batch = new InferenceBatch([new Tensor("float_input", TensorDataType.Fp32, [Rows, 7], data, data.Length)], Rows);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _compiled.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime")]
    public InferenceResult OnnxRuntime() => _reference.Predict(_batch, null);

    [Benchmark(Description = "compiled trees")]
    public InferenceResult CompiledTrees() => _compiled.Predict(_batch, null);
}
