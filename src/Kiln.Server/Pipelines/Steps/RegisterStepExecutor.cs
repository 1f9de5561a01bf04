using System.Text.Json.Nodes;
using Kiln.Core;
using Kiln.Core.Registry;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Server.Registry;
using Kiln.Server.Uploads;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// A register step: the package becomes a new version (validated and warmed as any upload), tagged with the pipeline,
/// its version, run and step, and its training run; optionally an alias moves to it. An attempt after an interrupted one
/// finds the version the earlier attempt registered (by those tags) instead of registering a second.
/// </summary>
internal sealed class RegisterStepExecutor(PipelineArtifacts artifacts, IModelRegistry registry, ModelRegistration registration) : IStepExecutor
{
    public const string StepTag = "kiln.pipeline_step";

    public string Kind => StepKinds.Register;

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        var model = step.Text("model")!;
        try
        {
            ModelName.Validate(model, "model");
        }
        catch (KilnException e)
        {
            throw new StepFailedException($"input {e.Message}");
        }

        var alias = step.Text("alias");
        if (await FindEarlierAsync(model, step, cancellationToken) is { } earlier)
        {
            step.Log.Write($"version {earlier.Version} of {model} was registered by an earlier attempt of this step; keeping it");
            if (alias is not null && !earlier.Aliases.Contains(alias))
            {
                await registry.SetAliasAsync(model, alias, earlier.Version, cancellationToken);
            }

            return Outputs(earlier);
        }

        var scratch = Directory.CreateTempSubdirectory("kiln-register-").FullName;
        try
        {
            var directory = await artifacts.FetchPackageAsync(step.Inputs["package"], scratch, "package", cancellationToken);
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["description"] = step.Text("description") ?? $"registered by pipeline {step.Pipeline} (run {step.RunId[..8]}, step {step.Step.Name})",
            };
            if (alias is not null)
            {
                fields["alias"] = alias;
            }

            if (step.Text("run_id") is { } runId)
            {
                fields["runId"] = runId;
                fields["source"] = $"runs:/{runId}/model";
            }

            var tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [EventfulModelRegistry.PipelineTag] = step.Pipeline,
                [EventfulModelRegistry.PipelineRunTag] = step.RunId,
                [StepTag] = step.Step.Name,
                ["kiln.pipeline_version"] = step.PipelineVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            var upload = new UploadedPackage(directory, fields);
            ModelVersion version;
            try
            {
                version = await registration.RegisterAsync(model, upload, cancellationToken, tags);
            }
            catch (KilnException e) when (e.Kind == Kiln.Core.Errors.KilnErrorKind.Invalid)
            {
                throw new StepFailedException($"the package was refused: {e.Message}");
            }

            step.Log.Write($"registered {model} version {version.Version}" + (alias is null ? "" : $" as @{alias}"));
            return Outputs(version);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private async Task<ModelVersion?> FindEarlierAsync(string model, StepExecution step, CancellationToken cancellationToken)
    {
        if (await registry.GetModelAsync(model, cancellationToken) is null)
        {
            return null;
        }

        var versions = await registry.ListVersionsAsync(model, cancellationToken);
        return versions.FirstOrDefault(v => v.Tags.GetValueOrDefault(EventfulModelRegistry.PipelineRunTag) == step.RunId && v.Tags.GetValueOrDefault(StepTag) == step.Step.Name);
    }

    private static JsonObject Outputs(ModelVersion version) => new()
    {
        ["model"] = version.ModelName,
        ["version"] = version.Version,
        ["reference"] = $"{version.ModelName}/{version.Version}",
    };
}
