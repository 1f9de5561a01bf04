using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Kiln.Core.Packaging;
using Kiln.Inference.Decoding;
using Kiln.Inference.Onnx;
using Kiln.Inference.Packaging;
using Kiln.Inference.Runtime;
using Kiln.Inference.Writers;
using Microsoft.ML.OnnxRuntime;

namespace Kiln.Benchmarks;

/// <summary>
/// Kiln's in-process serving path (v2 decode → validate → ONNX Runtime → v2 response) against the
/// bare minimum: one ONNX Runtime run on a prebuilt input, reading the same outputs. The model is
/// a scikit-learn GradientBoosting (7 features) exported to ONNX; set KILN_BENCH_MODEL to its path
/// (bench/http/run.sh and tools/onnx/make_test_models.py make one).
/// </summary>
[MemoryDiagnoser]
public class ServingPathBenchmarks
{
    private static readonly string[] Features = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"];
    private IModelRuntime _runtime = null!;
    private InputLayout _layout = null!;
    private byte[] _v2Body = null!;
    private byte[] _v1Body = null!;
    private InferenceSession _session = null!;
    private float[] _raw = null!;
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private string _tempDir = null!;

    [Params(1, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var model = Environment.GetEnvironmentVariable("KILN_BENCH_MODEL") ?? throw new InvalidOperationException("Set KILN_BENCH_MODEL to a 7-feature GBT .onnx file.");
        _tempDir = Directory.CreateTempSubdirectory("kiln-bench").FullName;
        File.Copy(model, Path.Combine(_tempDir, "model.onnx"));
        var package = ModelPackageImporter.Import(_tempDir, new ImportOptions(Features));
        var manifest = package.Manifest with { Files = [new ArtifactFile("model.onnx", "", 0)] };
        _runtime = new OnnxRuntimeFactory().Load(manifest, path => File.OpenRead(Path.Combine(_tempDir, path)));
        _layout = new InputLayout(_runtime.Signature);

        var random = new Random(7);
        var rows = Enumerable.Range(0, Rows).Select(_ => new double[] { random.Next(18, 90), random.Next(-2000, 20000), random.Next(1, 31), random.Next(0, 3000), random.Next(1, 20), -1, random.Next(0, 5) }).ToArray();
        _v2Body = Encoding.UTF8.GetBytes($$"""{"inputs":[{"name":"float_input","shape":[{{Rows}},7],"datatype":"FP32","data":[{{string.Join(',', rows.SelectMany(r => r))}}]}]}""");
        _v1Body = Encoding.UTF8.GetBytes("{\"instances\":[" + string.Join(',', rows.Select(r => "{" + string.Join(',', Features.Select((f, i) => $"\"{f}\":{r[i]}")) + "}")) + "]}");
        _raw = rows.SelectMany(r => r.Select(v => (float)v)).ToArray();
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(Path.Combine(_tempDir, "model.onnx"), options);
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime alone")]
    public int OnnxRuntimeOnly()
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_raw, [Rows, 7]);
        using var outputs = _session.Run(new RunOptions(), ["float_input"], [input], ["output_label", "output_probability"]);
        var probabilities = outputs[1];
        var count = probabilities.GetValueCount();
        var total = 0;
        for (var i = 0; i < count; i++)
        {
            using var map = probabilities.GetValue(i, OrtAllocator.DefaultInstance);
            using var values = map.GetValue(1, OrtAllocator.DefaultInstance);
            total += values.GetTensorDataAsSpan<float>().Length;
        }

        return total;
    }

    [Benchmark(Description = "Kiln v2: decode + validate + score + write")]
    public int KilnV2()
    {
        _output.ResetWrittenCount();
        var request = V2RequestDecoder.Decode(_v2Body, _layout);
        var result = _runtime.Predict(request.Batch, request.Outputs);
        V2ResponseWriter.Write(_output, result, new ResponseContext("gbt", "gbt", 1, "id"));
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Kiln v1 records: decode + validate + score + write")]
    public int KilnV1Records()
    {
        _output.ResetWrittenCount();
        var request = V1RequestDecoder.Decode(_v1Body, _layout);
        var result = _runtime.Predict(request.Batch, request.Outputs);
        PredictionsWriter.Write(_output, result, request.Batch.Rows);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Kiln v2 decode only")]
    public int DecodeV2() => V2RequestDecoder.Decode(_v2Body, _layout).Batch.Rows;

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.Dispose();
        _session.Dispose();
        Directory.Delete(_tempDir, recursive: true);
    }
}
