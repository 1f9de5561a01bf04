namespace Kiln.Monitoring.Statistics;

/// <summary>The few special functions the drift tests need, in double precision.</summary>
internal static class SpecialFunctions
{
    private const double Epsilon = 1e-16;
    private const int MaxIterations = 10_000;

    // Lanczos approximation, g = 7, n = 9 (relative error around 1e-15).
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7,
    ];

    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++)
        {
            sum += Lanczos[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }

    /// <summary>Survival function of the chi-square distribution: Q(df / 2, x / 2).</summary>
    public static double ChiSquareSf(double x, double degreesOfFreedom)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        return x <= 0 ? 1 : double.IsPositiveInfinity(x) ? 0 : RegularizedGammaQ(degreesOfFreedom / 2, x / 2);
    }

    /// <summary>Regularized upper incomplete gamma Q(a, x): series below a + 1, Lentz continued fraction above.</summary>
    public static double RegularizedGammaQ(double a, double x)
    {
        if (x <= 0)
        {
            return 1;
        }

        return x < a + 1 ? 1 - LowerSeries(a, x) : UpperContinuedFraction(a, x);
    }

    /// <summary>Survival function of the limiting Kolmogorov distribution (scipy.special.kolmogorov, kstwobign.sf).</summary>
    public static double KolmogorovSf(double z)
    {
        if (double.IsNaN(z))
        {
            return double.NaN;
        }

        if (z <= 0)
        {
            return 1;
        }

        if (z < 1)
        {
            // P(K ≤ z) = √(2π)/z Σ exp(−(2k − 1)²π² / (8z²)), fast for small z.
            double cdf = 0;
            var factor = -Math.PI * Math.PI / (8 * z * z);
            for (var k = 1; k < 100; k++)
            {
                var odd = (2 * k) - 1;
                var term = Math.Exp(odd * odd * factor);
                cdf += term;
                if (term < Epsilon * cdf)
                {
                    break;
                }
            }

            return 1 - (Math.Sqrt(2 * Math.PI) / z * cdf);
        }

        // P(K > z) = 2 Σ (−1)^(k−1) exp(−2k²z²), fast for large z.
        double sf = 0;
        for (var k = 1; k < 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * z * z);
            sf += k % 2 == 1 ? term : -term;
            if (term < Epsilon * sf)
            {
                break;
            }
        }

        return Math.Clamp(2 * sf, 0, 1);
    }

    private static double LowerSeries(double a, double x)
    {
        var term = 1 / a;
        var sum = term;
        for (var n = 1; n < MaxIterations; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon)
            {
                break;
            }
        }

        return sum * Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a));
    }

    private static double UpperContinuedFraction(double a, double x)
    {
        const double tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a)) * h;
    }
}
