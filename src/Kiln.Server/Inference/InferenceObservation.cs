namespace Kiln.Server.Inference;

/// <summary>
/// What the serving path learned about one inference request, left on the request's features for
/// the metrics middleware: which deployment, variant and version answered, how many rows, and the
/// body sizes. Fields stay at their defaults when the request failed before they were known.
/// </summary>
internal sealed class InferenceObservation
{
    public string? Deployment { get; set; }

    public string? Variant { get; set; }

    public string? ModelVersion { get; set; }

    public int Rows { get; set; }

    public long RequestBytes { get; set; }

    public long ResponseBytes { get; set; }
}
