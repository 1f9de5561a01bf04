namespace Kiln.Inference.Writers;

/// <summary>What every response names besides the outputs: the deployment, the model version that answered, and the request id.</summary>
public readonly record struct ResponseContext(string Deployment, string ModelName, int ModelVersion, string RequestId);
