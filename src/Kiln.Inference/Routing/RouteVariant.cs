namespace Kiln.Inference.Routing;

/// <summary>One variant of a deployment and its share of the traffic.</summary>
/// <param name="Name">
/// The variant's stable name (for example the model version). Sticky keys hash against it, so
/// renaming a variant moves its keys; keep names stable across weight changes.
/// </param>
/// <param name="Weight">
/// A non-negative relative weight: integer percents or any other scale, normalized by the sum.
/// Zero means "no traffic" (a variant kept warm, such as a rolled-back canary or a shadow).
/// </param>
public readonly record struct RouteVariant(string Name, double Weight);
