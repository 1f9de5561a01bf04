using Kiln.Core.Deployments;
using Kiln.Inference.Batching;
using Kiln.Inference.Routing;
using Kiln.Inference.Runtime;

namespace Kiln.Inference.Serving;

/// <summary>One variant of a served deployment with the warm model behind it.</summary>
/// <param name="Variant">The variant record.</param>
/// <param name="Model">Its model; the serving table holds one reference per served variant.</param>
public sealed record ServedVariant(DeploymentVariant Variant, LoadedModel Model)
{
    /// <summary>What scores this variant's requests: the model's runtime, or its reference runtime when the deployment asks for it.</summary>
    public IModelRuntime Runtime { get; init; } = Model.Runtime;

    /// <summary>The dynamic batcher in front of the model when the deployment batches, else null.</summary>
    public DynamicBatcher? Batcher { get; init; }
}

/// <summary>
/// A deployment revision as served: its warm variants, the router over the routable ones (built once
/// per revision), and its shadows. Immutable; a change builds a new one and the table swaps it in.
/// </summary>
public sealed class ServedDeployment
{
    private readonly VariantRouter? _router;

    /// <summary>
    /// Builds the served form of <paramref name="deployment"/> over warm variants, in the deployment's variant order,
    /// with a batcher in front of each routable variant when the deployment batches (<paramref name="time"/> runs its delay).
    /// </summary>
    public ServedDeployment(Deployment deployment, IReadOnlyList<ServedVariant> variants, TimeProvider? time = null)
    {
        Deployment = deployment;
        Variants = variants.Select(v => v with { Runtime = deployment.ReferenceRuntime ? v.Model.Runtime.ReferenceRuntime : v.Model.Runtime }).ToArray();
        if (deployment.Batching is { } policy)
        {
            Variants = Variants.Select(v => v.Variant.Routable ? v with { Batcher = new DynamicBatcher(v.Runtime, policy, time ?? TimeProvider.System) } : v).ToArray();
        }

        Routable = Variants.Where(v => v.Variant.Routable).ToArray();
        Shadows = Variants.Where(v => v.Variant.Role == VariantRole.Shadow).ToArray();
        _router = Routable.Length > 1 ? new VariantRouter(Routable.Select(v => new RouteVariant(v.Variant.Name, v.Variant.Weight))) : null;
    }

    /// <summary>Serves a single-variant deployment (its primary) with <paramref name="model"/>.</summary>
    public ServedDeployment(Deployment deployment, LoadedModel model)
        : this(deployment, [new ServedVariant(deployment.Primary, model)])
    {
    }

    /// <summary>The stored deployment record this serves.</summary>
    public Deployment Deployment { get; }

    /// <summary>Every variant, shadows included.</summary>
    public IReadOnlyList<ServedVariant> Variants { get; }

    /// <summary>The variants live traffic is split over.</summary>
    public ServedVariant[] Routable { get; }

    /// <summary>The shadow variants: they get copies of requests, never answer them.</summary>
    public ServedVariant[] Shadows { get; }

    /// <summary>The model of the primary with the most traffic (what a single-version deployment serves).</summary>
    public LoadedModel Model => (Routable.Length > 0 ? Routable.MaxBy(v => v.Variant.Weight)! : Variants[0]).Model;

    /// <summary>Picks the variant for a request: sticky by <paramref name="routingKey"/> when given, else weighted random.</summary>
    public ServedVariant Pick(ReadOnlySpan<char> routingKey)
    {
        if (_router is null)
        {
            return Routable.Length == 1 ? Routable[0] : Variants[0];
        }

        return Routable[routingKey.IsEmpty ? _router.RouteRandom() : _router.Route(routingKey)];
    }

    /// <summary>The variant serving model version <paramref name="version"/>, or null.</summary>
    public ServedVariant? ByVersion(int version)
    {
        foreach (var variant in Variants)
        {
            if (variant.Variant.ModelVersion == version)
            {
                return variant;
            }
        }

        return null;
    }
}
