using Kiln.Core.Security;
using System.Globalization;
using System.Text.Json;
using Kiln.Core.Tensors;
using Kiln.Inference.Serving;
using Kiln.Server.Inference;
using Kiln.Server.Security;
using Kiln.Server.Audit;

namespace Kiln.Server.Endpoints;

/// <summary>The Open Inference Protocol v2 (KServe, Triton, MLServer): server and model metadata, readiness, inference.</summary>
internal static class V2Endpoints
{
    public static IEndpointRouteBuilder MapV2Endpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2", ServerMetadata).WithTags("Open Inference Protocol v2").AllowAnonymous();
        app.MapGet("/v2/health/live", (HttpContext c) => WriteFlag(c, "live", true, 200)).WithTags("Open Inference Protocol v2").AllowAnonymous();
        app.MapGet("/v2/health/ready", (HttpContext c, DeploymentManager m) => WriteFlag(c, "ready", m.IsReady, m.IsReady ? 200 : 503))
            .WithTags("Open Inference Protocol v2").AllowAnonymous();

        var models = app.MapGroup("/v2/models/{name}").WithTags("Open Inference Protocol v2").ForDeployment();
        models.MapGet("", (HttpContext c, string name, InferenceHandler h) => ModelMetadata(c, h, name, null)).RequireRole(KilnRole.Viewer);
        models.MapGet("/versions/{version}", (HttpContext c, string name, string version, InferenceHandler h) => ModelMetadata(c, h, name, version))
            .RequireRole(KilnRole.Viewer);
        models.MapGet("/ready", (HttpContext c, string name, InferenceHandler h) => ModelReady(c, h, name, null)).RequireRole(KilnRole.Viewer);
        models.MapGet("/versions/{version}/ready", (HttpContext c, string name, string version, InferenceHandler h) => ModelReady(c, h, name, version))
            .RequireRole(KilnRole.Viewer);
        models.MapPost("/infer", (HttpContext c, string name, InferenceHandler h) => h.HandleAsync(c, name, null, InferenceProtocol.V2))
            .RequireRole(KilnRole.Predictor).NotAudited().WithSummary("Inference (Open Inference Protocol v2)");
        models.MapPost("/versions/{version}/infer", (HttpContext c, string name, string version, InferenceHandler h) => h.HandleAsync(c, name, version, InferenceProtocol.V2))
            .RequireRole(KilnRole.Predictor).NotAudited().WithSummary("Inference on a given version (Open Inference Protocol v2)");
        return app;
    }

    private static Task ServerMetadata(HttpContext context) => WriteJson(context, 200, writer =>
    {
        writer.WriteString("name"u8, "kiln");
        writer.WriteString("version"u8, typeof(V2Endpoints).Assembly.GetName().Version?.ToString(3) ?? "0.1.0");
        writer.WriteStartArray("extensions"u8);
        writer.WriteEndArray();
    });

    private static Task ModelMetadata(HttpContext context, InferenceHandler handler, string name, string? version)
    {
        using var lease = handler.Lease(name, version);
        var model = lease.Model;
        var signature = model.Runtime.Signature;
        return WriteJson(context, 200, writer =>
        {
            writer.WriteString("name"u8, name);
            writer.WriteStartArray("versions"u8);
            writer.WriteStringValue(model.Version.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndArray();
            writer.WriteString("platform"u8, "onnxruntime_onnx");
            writer.WriteStartArray("inputs"u8);
            foreach (var input in signature.Inputs)
            {
                WriteTensorMetadata(writer, input.Name, input.DataType, input.Shape, input.Columns);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("outputs"u8);
            foreach (var output in signature.Outputs)
            {
                WriteTensorMetadata(writer, output.Name, output.DataType, output.Shape, null);
            }

            writer.WriteEndArray();
            writer.WriteStartObject("parameters"u8);
            writer.WriteString("registered_model"u8, model.ModelName);
            writer.WriteEndObject();
        });
    }

    private static Task ModelReady(HttpContext context, InferenceHandler handler, string name, string? version)
    {
        using var lease = handler.Lease(name, version);
        return WriteJson(context, 200, writer =>
        {
            writer.WriteString("name"u8, name);
            writer.WriteBoolean("ready"u8, true);
        });
    }

    private static void WriteTensorMetadata(Utf8JsonWriter writer, string name, TensorDataType type, IReadOnlyList<long> shape, IReadOnlyList<string>? columns)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, name);
        writer.WriteString("datatype"u8, type.ToV2Name());
        writer.WriteStartArray("shape"u8);
        foreach (var dim in shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        if (columns is not null)
        {
            writer.WriteStartObject("parameters"u8);
            writer.WriteStartArray("columns"u8);
            foreach (var column in columns)
            {
                writer.WriteStringValue(column);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static Task WriteFlag(HttpContext context, string name, bool value, int status) =>
        WriteJson(context, status, writer => writer.WriteBoolean(name, value));

    internal static async Task WriteJson(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
