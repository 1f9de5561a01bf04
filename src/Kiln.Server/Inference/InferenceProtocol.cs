namespace Kiln.Server.Inference;

/// <summary>The inference protocols a deployment answers.</summary>
internal enum InferenceProtocol
{
    /// <summary>Open Inference Protocol v2 (KServe, Triton, MLServer).</summary>
    V2,
    /// <summary>KServe v1 <c>:predict</c>.</summary>
    V1,
    /// <summary>MLflow scoring server <c>/invocations</c>.</summary>
    Mlflow,
}
