namespace Kiln.Server.Audit;

/// <summary>
/// Endpoint metadata: this POST changes nothing people need to audit. Data-plane writes (inference, ground truth,
/// custom metrics) and reads that MLflow's protocol sends as POST (searches) carry it; every other POST, PUT, PATCH
/// and DELETE is audited.
/// </summary>
internal sealed class NotAudited
{
    public static readonly NotAudited Instance = new();
}

internal static class NotAuditedExtensions
{
    public static TBuilder NotAudited<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Audit.NotAudited.Instance);
}
