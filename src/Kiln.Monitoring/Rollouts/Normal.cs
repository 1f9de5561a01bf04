using Kiln.Monitoring.Statistics;

namespace Kiln.Monitoring.Rollouts;

/// <summary>The standard normal distribution, to double precision (scipy.stats.norm's values to ~1e-14).</summary>
internal static class Normal
{
    // Acklam's rational approximation (relative error ~1e-9), polished below with Halley steps.
    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];

    /// <summary>P(Z ≤ x).</summary>
    public static double Cdf(double x) => Sf(-x);

    /// <summary>P(Z &gt; x), accurate in the far tail (no 1 − Φ cancellation).</summary>
    public static double Sf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (double.IsInfinity(x))
        {
            return x > 0 ? 0 : 1;
        }

        // Φ̄(x) = erfc(x/√2)/2 and erfc(t) = Q(½, t²) for t ≥ 0.
        var q = SpecialFunctions.RegularizedGammaQ(0.5, x * x / 2);
        return x >= 0 ? q / 2 : 1 - (q / 2);
    }

    /// <summary>The quantile: the x with P(Z ≤ x) = p.</summary>
    public static double Quantile(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            return double.NaN;
        }

        if (p == 0)
        {
            return double.NegativeInfinity;
        }

        if (p == 1)
        {
            return double.PositiveInfinity;
        }

        var x = Acklam(p);
        for (var i = 0; i < 3; i++)
        {
            // Halley's method on Φ(x) − p; the tail side uses Sf to keep relative precision.
            var error = p < 0.5 ? Cdf(x) - p : (1 - p) - Sf(x);
            var density = Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
            var step = error / density;
            x -= step / (1 + (x * step / 2));
        }

        return x;
    }

    private static double Acklam(double p)
    {
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return Tail(q);
        }

        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -Tail(q);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((((((((A[0] * s) + A[1]) * s) + A[2]) * s) + A[3]) * s) + A[4]) * s) + A[5]) * r)
            / (((((((((B[0] * s) + B[1]) * s) + B[2]) * s) + B[3]) * s) + B[4]) * s + 1);
    }

    private static double Tail(double q) =>
        ((((((((((C[0] * q) + C[1]) * q) + C[2]) * q) + C[3]) * q) + C[4]) * q) + C[5])
        / ((((((((D[0] * q) + D[1]) * q) + D[2]) * q) + D[3]) * q) + 1);
}
