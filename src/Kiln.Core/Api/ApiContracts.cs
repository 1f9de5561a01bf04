using Kiln.Core.Deployments;
using Kiln.Core.Security;

namespace Kiln.Core.Api;

/// <summary>Body of <c>PUT /api/deployments/{name}</c>.</summary>
/// <param name="Model">The version to serve: <c>NAME/VERSION</c>, <c>NAME@ALIAS</c> or <c>NAME</c> (latest).</param>
/// <param name="LogSampleRate">The share of requests written to the prediction log, 0–1; omitted keeps the current rate (1 for a new deployment).</param>
/// <param name="RoutingField">The input field whose value routes requests stickily over the variants when no <c>Kiln-Routing-Key</c> header is sent; omitted keeps the current one.</param>
/// <param name="Batching">Dynamic batching (<c>maxBatchRows</c>, <c>maxDelayMicroseconds</c>); a <c>maxBatchRows</c> of 0 turns it off; omitted keeps the current policy (off for a new deployment).</param>
/// <param name="ReferenceRuntime">True serves with the model format's own runtime (ONNX Runtime) even where the compiled tree engine covers the model; false allows the engine again; omitted keeps the current choice (the engine for a new deployment).</param>
public sealed record DeployRequest(string? Model, double? LogSampleRate = null, string? RoutingField = null, BatchingPolicy? Batching = null, bool? ReferenceRuntime = null);

/// <summary>Body of <c>PUT /api/models/{name}/aliases/{alias}</c>.</summary>
/// <param name="Version">The version the alias should point to.</param>
public sealed record SetAliasRequest(int Version);

/// <summary>Body of <c>PATCH /api/models/{name}</c>.</summary>
/// <param name="Description">The new description (null clears it).</param>
public sealed record UpdateModelRequest(string? Description);

/// <summary>Body of <c>POST /api/keys</c>.</summary>
/// <param name="Name">A name for people, e.g. <c>ci-pipeline</c>.</param>
/// <param name="Role">viewer, predictor, deployer or admin.</param>
/// <param name="Deployments">Limits the key to these deployments (their inference, status and monitoring); omitted: all.</param>
/// <param name="Expires">When the key stops working: a duration from now (<c>90d</c>) or an ISO 8601 time; omitted: never.</param>
public sealed record CreateApiKeyRequest(string? Name, KilnRole? Role, IReadOnlyList<string>? Deployments = null, string? Expires = null);

/// <summary>Body of <c>POST /api/keys/{id}/rotate</c>.</summary>
/// <param name="Overlap">How long the old key keeps working beside the new one (default <c>1d</c>; <c>0s</c> ends it now).</param>
public sealed record RotateApiKeyRequest(string? Overlap = null);

/// <summary>A rotation's result: the new key (its secret shown this once) and the old one with its new end.</summary>
/// <param name="Key">The new secret.</param>
/// <param name="Info">The new key: same name, role and deployments as the old.</param>
/// <param name="Previous">The old key, now expiring at the end of the overlap.</param>
public sealed record RotatedApiKey(string Key, ApiKeyInfo Info, ApiKeyInfo Previous);

/// <summary>A newly created key: <see cref="Key"/> is shown this once and never stored.</summary>
/// <param name="Key">The secret to send as <c>Authorization: Bearer &lt;key&gt;</c>.</param>
/// <param name="Info">What is kept about the key.</param>
public sealed record CreatedApiKey(string Key, ApiKeyInfo Info);

/// <summary>A deployment and how it stands in the server that answered.</summary>
/// <param name="Deployment">The stored deployment.</param>
/// <param name="Status">loading, ready or failed.</param>
/// <param name="Error">Why it failed to load, when it did.</param>
/// <param name="Endpoints">The URLs that serve it, per protocol.</param>
public sealed record DeploymentView(Deployment Deployment, string Status, string? Error, InferenceUrls Endpoints)
{
    /// <summary>Each variant's traffic over the last five minutes in the server that answered (on reads of a deployment).</summary>
    public IReadOnlyList<VariantTraffic>? Traffic { get; init; }
}

/// <summary>A variant's live traffic over a recent window.</summary>
/// <param name="Variant">The variant's name.</param>
/// <param name="ModelVersion">Its model version.</param>
/// <param name="Requests">Requests it answered.</param>
/// <param name="ErrorRate">Share of them with a 5xx status.</param>
/// <param name="P99Ms">Their p99 latency in milliseconds, when there were any.</param>
public sealed record VariantTraffic(string Variant, int ModelVersion, long Requests, double ErrorRate, double? P99Ms);

/// <summary>The inference URLs of a deployment.</summary>
/// <param name="V2">Open Inference Protocol v2 infer URL.</param>
/// <param name="V1">KServe v1 predict URL.</param>
/// <param name="Mlflow">MLflow scoring URL.</param>
public sealed record InferenceUrls(string V2, string V1, string Mlflow);

/// <summary>Body of <c>POST /api/experiments</c>.</summary>
/// <param name="Name">The unique experiment name.</param>
/// <param name="Tags">Optional tags.</param>
public sealed record CreateExperimentRequest(string? Name, IReadOnlyDictionary<string, string>? Tags = null);

/// <summary>Body of <c>POST /api/runs</c>: by experiment id, or by name (created when missing).</summary>
/// <param name="ExperimentId">The experiment's id.</param>
/// <param name="ExperimentName">Or its name; the experiment is created if it does not exist.</param>
/// <param name="Name">The run's name.</param>
/// <param name="Tags">Optional tags.</param>
public sealed record CreateRunRequest(string? ExperimentId = null, string? ExperimentName = null, string? Name = null, IReadOnlyDictionary<string, string>? Tags = null);

/// <summary>Body of <c>PATCH /api/runs/{id}</c>.</summary>
/// <param name="Status">The new status (FINISHED, FAILED or KILLED ends the run).</param>
/// <param name="Name">A new name.</param>
public sealed record UpdateRunRequest(Tracking.RunStatus? Status = null, string? Name = null);

/// <summary>Body of <c>POST /api/runs/{id}/inputs</c>.</summary>
/// <param name="Datasets">The datasets the run read.</param>
public sealed record LogInputsRequest(IReadOnlyList<Tracking.DatasetInput>? Datasets);

/// <summary>A page of the audit log, oldest first.</summary>
/// <param name="Events">The events.</param>
/// <param name="Next">The <c>after</c> value for the next page, or null at the end.</param>
public sealed record AuditPage(IReadOnlyList<Kiln.Core.Audit.AuditEvent> Events, long? Next);
