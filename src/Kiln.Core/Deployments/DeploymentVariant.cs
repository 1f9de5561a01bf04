namespace Kiln.Core.Deployments;

/// <summary>One model version behind a deployment, with its share of traffic.</summary>
/// <param name="Name">The variant's name within the deployment (e.g. <c>primary</c>).</param>
/// <param name="ModelName">The registered model.</param>
/// <param name="ModelVersion">The pinned version number.</param>
/// <param name="Requested">What the user asked for (e.g. <c>bank@champion</c>), kept for display and redeploys.</param>
/// <param name="Weight">Share of traffic, 0–100.</param>
/// <param name="Role">Primary, canary or shadow.</param>
public sealed record DeploymentVariant(
    string Name,
    string ModelName,
    int ModelVersion,
    string Requested,
    int Weight,
    VariantRole Role)
{
    /// <summary>For a shadow variant: the share of live requests copied to it (0–1).</summary>
    public double ShadowSample { get; init; } = 1.0;

    /// <summary>Whether live traffic can be routed to it: a primary or canary with a positive weight.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Routable => Role != VariantRole.Shadow && Weight > 0;
}
