namespace Kiln.Inference.Routing;

/// <summary>
/// Splits traffic over weighted variants. Keyed requests are sticky: weighted rendezvous hashing
/// (highest random weight) gives each variant the score <c>-weight / ln(u)</c>, with <c>u</c> a stable
/// hash of (key, variant name) in (0, 1), and routes to the highest. A key's variant therefore
/// depends only on the key, the names and the weights — never on the process — and a weight change
/// moves only the keys it must: raising one variant's weight only pulls keys into it, and adding a
/// variant only moves keys to the newcomer.
/// </summary>
/// <remarks>
/// Build one router per deployment revision and share it: it is immutable and thread-safe, and
/// <see cref="Route"/> and <see cref="RouteRandom()"/> allocate nothing.
/// </remarks>
public sealed class VariantRouter
{
    private readonly RouteVariant[] _variants;

    // Only variants with positive weight take part: indices into _variants, their weights and name seeds.
    private readonly int[] _active;
    private readonly double[] _activeWeights;
    private readonly ulong[] _activeSeeds;
    private readonly double[] _cumulative;
    private readonly double _total;

    /// <summary>Builds a router over <paramref name="variants"/>, in order; indices returned refer to that order.</summary>
    /// <param name="variants">The variants: unique non-empty names, finite non-negative weights, at least one positive.</param>
    /// <exception cref="ArgumentException">The variants break one of those rules.</exception>
    public VariantRouter(IEnumerable<RouteVariant> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        _variants = [.. variants];
        RouteVariantValidation.ThrowIfInvalid(_variants);

        _active = [.. Enumerable.Range(0, _variants.Length).Where(i => _variants[i].Weight > 0)];
        _activeWeights = [.. _active.Select(i => _variants[i].Weight)];
        _activeSeeds = [.. _active.Select(i => StableHash.Mix(StableHash.Hash(_variants[i].Name)))];
        _cumulative = new double[_active.Length];
        double sum = 0;
        for (var i = 0; i < _active.Length; i++)
        {
            sum += _activeWeights[i];
            _cumulative[i] = sum;
        }

        _total = sum;
    }

    /// <summary>The variants, in the order given.</summary>
    public IReadOnlyList<RouteVariant> Variants => _variants;

    /// <summary>The share of traffic (0–1) that variant <paramref name="index"/> receives.</summary>
    /// <param name="index">The variant's index.</param>
    public double Share(int index) => _variants[index].Weight / _total;

    /// <summary>The variant for a sticky key: the same key always gets the same variant while names and weights are unchanged.</summary>
    /// <param name="routingKey">The key (user id, session id, …); any text, hashed as UTF-16 code units.</param>
    /// <returns>The index of the variant in <see cref="Variants"/>.</returns>
    public int Route(ReadOnlySpan<char> routingKey)
    {
        if (_active.Length == 1)
        {
            return _active[0];
        }

        var keyHash = StableHash.Hash(routingKey);
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _activeSeeds.Length; i++)
        {
            var u = StableHash.ToUnitOpen(StableHash.Mix(keyHash ^ _activeSeeds[i]));

            // ln(u) < 0 on (0, 1), so the score is positive and larger for heavier variants.
            var score = -_activeWeights[i] / Math.Log(u);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }

        return _active[best];
    }

    /// <summary>A weighted random variant, for requests without a routing key.</summary>
    /// <returns>The index of the variant in <see cref="Variants"/>.</returns>
    public int RouteRandom() => _active.Length == 1 ? _active[0] : RouteUniform(Random.Shared.NextDouble());

    /// <summary>The variant a uniform draw in [0, 1) selects; split out so tests can drive it.</summary>
    internal int RouteUniform(double uniform)
    {
        var target = uniform * _total;
        for (var i = 0; i < _cumulative.Length - 1; i++)
        {
            if (target < _cumulative[i])
            {
                return _active[i];
            }
        }

        return _active[^1];
    }
}
