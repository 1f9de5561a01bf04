using System.Numerics;

namespace Kiln.Inference.Routing;

/// <summary>
/// A 64-bit hash of UTF-16 text that is the same in every process, on every machine and across
/// restarts — unlike <see cref="string.GetHashCode()"/>, which is randomized per process. Sticky
/// routing depends on that: a key must keep its variant when a replica restarts.
/// </summary>
/// <remarks>
/// FNV-1a-style absorption of four chars per 64-bit block (read as code units, so byte order does
/// not matter) followed by the splitmix64 finalizer, whose full avalanche turns near-identical keys
/// ("user-1", "user-2") into unrelated outputs. Changing anything here reshuffles every sticky key.
/// </remarks>
internal static class StableHash
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;
    private const ulong Golden = 0x9E3779B97F4A7C15;

    /// <summary>The hash of <paramref name="text"/>'s code units.</summary>
    public static ulong Hash(ReadOnlySpan<char> text)
    {
        var h = Offset ^ ((ulong)text.Length * Golden);
        var i = 0;
        for (; i + 4 <= text.Length; i += 4)
        {
            var block = text[i] | ((ulong)text[i + 1] << 16) | ((ulong)text[i + 2] << 32) | ((ulong)text[i + 3] << 48);

            // The rotate feeds the product's well-mixed high bits back into the low ones.
            h = BitOperations.RotateLeft((h ^ block) * Prime, 31);
        }

        for (; i < text.Length; i++)
        {
            h = (h ^ text[i]) * Prime;
        }

        return Mix(h);
    }

    /// <summary>The splitmix64 finalizer: a bijection on 64 bits with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform draw in the open interval (0, 1) from the top 52 bits (53 would round the largest to 1.0).</summary>
    public static double ToUnitOpen(ulong bits) => ((bits >> 12) + 0.5) * (1.0 / (1UL << 52));
}
