using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Kiln.Core.Tensors;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;
using Kiln.Inference.Trees.LightGbm;

namespace Kiln.Benchmarks;

/// <summary>
/// The compiled tree engine against LightGBM's own predictor (the lib_lightgbm.so of the LightGBM 4.6.0 NuGet package,
/// one thread) on the same LightGBM text model and the same float32 rows: Kiln through the runtime interface it serves
/// with (tensor in, label and probabilities out), LightGBM through <c>LGBM_BoosterPredictForMat</c> (probabilities into
/// a caller's buffer). Models: KILN_BENCH_LIGHTGBM_MODELS, a comma-separated list of 7-feature binary LightGBM models
/// (bench/trees/run.sh makes them with tools/lightgbm/make_fixtures.py --bench).
/// </summary>
[MemoryDiagnoser]
public unsafe class LightGbmEngineBenchmarks
{
    private const int Features = 7;
    private IModelRuntime _compiled = null!;
    private IntPtr _booster;
    private InferenceBatch _batch = null!;
    private float[] _rows = [];
    private double[] _probabilities = [];
    private string _directory = null!;

    private static string[] ModelPaths =>
        (Environment.GetEnvironmentVariable("KILN_BENCH_LIGHTGBM_MODELS") ?? throw new InvalidOperationException("Set KILN_BENCH_LIGHTGBM_MODELS (bench/trees/run.sh)."))
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
        var path = ModelPaths.Single(p => Path.GetFileName(p) == Model);
        _directory = Directory.CreateTempSubdirectory("kiln-lightgbm").FullName;
        File.Copy(path, Path.Combine(_directory, "model.txt"));
        var package = ModelPackageImporter.Import(_directory, new ImportOptions());
        _compiled = new LightGbmRuntimeFactory().Load(package.Manifest, file => File.OpenRead(Path.Combine(_directory, file)));
        Check(LightGbm.LGBM_BoosterCreateFromModelfile(path, out _, out _booster));

        var random = new Random(7);
        _rows = new float[Rows * Features];
        for (var r = 0; r < Rows; r++)
        {
            float[] row = [random.Next(18, 90), random.Next(-2000, 20000), random.Next(1, 31), random.Next(0, 3000), random.Next(1, 20), random.Next(5) == 0 ? random.Next(1, 400) : -1, random.Next(0, 5)];
            row.CopyTo(_rows, r * Features);
        }

        _batch = new InferenceBatch([new Tensor("input", TensorDataType.Fp32, [Rows, Features], _rows, _rows.Length)], Rows);
        _probabilities = new double[Rows];

        // Both answer alike before either is timed.
        var kiln = (float[])_compiled.Predict(_batch, ["probabilities"]).Outputs[0].Data;
        LightGbmPredict();
        for (var r = 0; r < Rows; r++)
        {
            if (kiln[(2 * r) + 1] != (float)_probabilities[r])
            {
                throw new InvalidOperationException($"row {r}: Kiln {kiln[(2 * r) + 1]}, LightGBM {_probabilities[r]}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _compiled.Dispose();
        LightGbm.LGBM_BoosterFree(_booster);
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "LightGBM (lib_lightgbm)")]
    public double LightGbmPredict()
    {
        fixed (float* data = _rows)
        fixed (double* result = _probabilities)
        {
            Check(LightGbm.LGBM_BoosterPredictForMat(_booster, data, LightGbm.Float32, Rows, Features, 1, LightGbm.PredictNormal, 0, -1, "num_threads=1", out _, result));
        }

        return _probabilities[0];
    }

    [Benchmark(Description = "compiled trees")]
    public InferenceResult CompiledTrees() => _compiled.Predict(_batch, null);

    private static void Check(int code)
    {
        if (code != 0)
        {
            throw new InvalidOperationException(Marshal.PtrToStringUTF8(LightGbm.LGBM_GetLastError()));
        }
    }

    /// <summary>The few entry points of LightGBM's C API the benchmark uses.</summary>
    private static class LightGbm
    {
        public const int Float32 = 0;
        public const int PredictNormal = 0;
        private const string Library = "lib_lightgbm";

        [DllImport(Library)]
        public static extern IntPtr LGBM_GetLastError();

        [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int LGBM_BoosterCreateFromModelfile(string filename, out int iterations, out IntPtr booster);

        [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int LGBM_BoosterPredictForMat(
            IntPtr booster, float* data, int dataType, int rows, int columns, int rowMajor, int predictType, int startIteration, int iterations,
            string parameters, out long length, double* result);

        [DllImport(Library)]
        public static extern int LGBM_BoosterFree(IntPtr booster);
    }
}
