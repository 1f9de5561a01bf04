// The bare yardstick (bench/README.md): one Kestrel endpoint that runs an ONNX model through
// ONNX Runtime for Open Inference Protocol v2 requests, with no validation, no routing beyond one
// MapPost and logging at Warning. It is the ceiling Kiln's serving path is measured against.
//
//   dotnet run -c Release --project bench/Kiln.Yardstick -- --model PATH.onnx --urls http://127.0.0.1:5090
//
// Request:  {"inputs":[{"name":"float_input","shape":[N,7],"datatype":"FP32","data":[...N*7 floats...]}]}
// Response: {"model_name":"...","outputs":[{"name":"output_label","datatype":"INT64","shape":[N],"data":[...]},
//            {"name":"output_probability","datatype":"FP32","shape":[N,C],"data":[...]}]}
using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var modelPath = builder.Configuration["model"];
if (string.IsNullOrEmpty(modelPath) || !File.Exists(modelPath))
{
    await Console.Error.WriteLineAsync("usage: Kiln.Yardstick --model PATH.onnx [--urls http://127.0.0.1:5090] [--intraOpThreads 1]");
    return 2;
}

// One intra-op thread: concurrency comes from the 16 connections, not from splitting one request.
using var sessionOptions = new OrtSessionOptions
{
    IntraOpNumThreads = builder.Configuration.GetValue("intraOpThreads", 1),
    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
};
using var session = new InferenceSession(modelPath, sessionOptions);
using var runOptions = new RunOptions();
var scorer = new Scorer(session, runOptions);

var app = builder.Build();
app.MapPost("/v2/models/{name}/infer", scorer.HandleAsync);
await app.RunAsync();
return 0;

/// <summary>Parses a V2 request, runs the session and writes the V2 response.</summary>
internal sealed class Scorer(InferenceSession session, RunOptions runOptions)
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };
    private readonly string[] _inputNames = [session.InputMetadata.Keys.First()];
    private readonly string[] _outputNames = [.. session.OutputMetadata.Keys];

    public async Task HandleAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        var result = await reader.ReadAsync();
        while (!result.IsCompleted)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await reader.ReadAsync();
        }

        var input = Parse(result.Buffer);
        reader.AdvanceTo(result.Buffer.End);
        try
        {
            context.Response.ContentType = "application/json";
            var modelName = (string?)context.Request.RouteValues["name"] ?? "";
            Score(input, modelName, context.Response.BodyWriter);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input.Data);
        }

        await context.Response.BodyWriter.FlushAsync();
    }

    private readonly record struct Input(float[] Data, int Count, long[] Shape);

    /// <summary>Reads the first input's "shape" and flat "data"; everything else is skipped unchecked.</summary>
    private static Input Parse(ReadOnlySequence<byte> body)
    {
        var json = new Utf8JsonReader(body);
        var data = ArrayPool<float>.Shared.Rent(1024);
        var count = 0;
        long[]? shape = null;
        Span<long> dims = stackalloc long[8];
        var seenData = false;
        while (json.Read())
        {
            if (json.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (shape is null && json.ValueTextEquals("shape"u8))
            {
                json.Read();
                var rank = 0;
                while (json.Read() && json.TokenType == JsonTokenType.Number)
                {
                    dims[rank++] = json.GetInt64();
                }

                shape = dims[..rank].ToArray();
            }
            else if (!seenData && json.ValueTextEquals("data"u8))
            {
                seenData = true;
                json.Read();
                while (json.Read() && json.TokenType == JsonTokenType.Number)
                {
                    if (count == data.Length)
                    {
                        var bigger = ArrayPool<float>.Shared.Rent(data.Length * 2);
                        data.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<float>.Shared.Return(data);
                        data = bigger;
                    }

                    data[count++] = json.GetSingle();
                }
            }
        }

        return new Input(data, count, shape ?? [1, count]);
    }

    private void Score(Input input, string modelName, PipeWriter body)
    {
        using var tensor = OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, input.Data.AsMemory(0, input.Count), input.Shape);
        using var outputs = session.Run(runOptions, _inputNames, [tensor], _outputNames);

        using var json = new Utf8JsonWriter(body, WriterOptions);
        json.WriteStartObject();
        json.WriteString("model_name"u8, modelName);
        json.WriteStartArray("outputs"u8);
        var i = 0;
        foreach (var output in outputs)
        {
            WriteOutput(json, _outputNames[i++], output);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteOutput(Utf8JsonWriter json, string name, OrtValue output)
    {
        json.WriteStartObject();
        json.WriteString("name"u8, name);
        if (output.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
        {
            var info = output.GetTensorTypeAndShape();
            json.WriteString("datatype"u8, info.ElementDataType == TensorElementType.Int64 ? "INT64" : "FP32");
            WriteShape(json, info.Shape);
            json.WriteStartArray("data"u8);
            if (info.ElementDataType == TensorElementType.Int64)
            {
                foreach (var v in output.GetTensorDataAsSpan<long>())
                {
                    json.WriteNumberValue(v);
                }
            }
            else
            {
                foreach (var v in output.GetTensorDataAsSpan<float>())
                {
                    json.WriteNumberValue(v);
                }
            }

            json.WriteEndArray();
        }
        else
        {
            // ZipMap: a sequence of map(int64, float), one map per row, written as an [N, C] FP32 tensor.
            var allocator = OrtAllocator.DefaultInstance;
            var rows = output.GetValueCount();
            var classes = 0;
            json.WriteString("datatype"u8, "FP32");
            json.WriteStartArray("data"u8);
            for (var r = 0; r < rows; r++)
            {
                using var map = output.GetValue(r, allocator);
                using var values = map.GetValue(1, allocator);
                var span = values.GetTensorDataAsSpan<float>();
                classes = span.Length;
                foreach (var v in span)
                {
                    json.WriteNumberValue(v);
                }
            }

            json.WriteEndArray();
            WriteShape(json, [rows, classes]);
        }

        json.WriteEndObject();
    }

    private static void WriteShape(Utf8JsonWriter json, ReadOnlySpan<long> shape)
    {
        json.WriteStartArray("shape"u8);
        foreach (var d in shape)
        {
            json.WriteNumberValue(d);
        }

        json.WriteEndArray();
    }
}
