namespace Kiln.Inference.Routing;

/// <summary>The rules a variant list must follow before it can route.</summary>
internal static class RouteVariantValidation
{
    public static void ThrowIfInvalid(IReadOnlyList<RouteVariant> variants)
    {
        if (variants.Count == 0)
        {
            throw new ArgumentException("At least one variant is required.", nameof(variants));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var anyPositive = false;
        foreach (var variant in variants)
        {
            if (string.IsNullOrEmpty(variant.Name))
            {
                throw new ArgumentException("Variant names must be non-empty.", nameof(variants));
            }

            if (!names.Add(variant.Name))
            {
                throw new ArgumentException($"Variant name '{variant.Name}' appears more than once.", nameof(variants));
            }

            if (!double.IsFinite(variant.Weight) || variant.Weight < 0)
            {
                throw new ArgumentException($"Variant '{variant.Name}' has weight {variant.Weight}; weights must be finite and non-negative.", nameof(variants));
            }

            anyPositive |= variant.Weight > 0;
        }

        if (!anyPositive)
        {
            throw new ArgumentException("At least one variant must have a positive weight.", nameof(variants));
        }
    }
}
