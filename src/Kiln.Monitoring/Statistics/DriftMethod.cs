namespace Kiln.Monitoring.Statistics;

/// <summary>A per-feature drift test.</summary>
public enum DriftMethod
{
    /// <summary>Choose as Evidently does by default (see <see cref="DriftDetector"/>).</summary>
    Auto,

    /// <summary>Two-sample Kolmogorov–Smirnov; drift when p &lt; threshold (default 0.05). Numeric only.</summary>
    KolmogorovSmirnov,

    /// <summary>Chi-square goodness of fit; drift when p &lt; threshold (default 0.05).</summary>
    ChiSquare,

    /// <summary>Normed Wasserstein distance; drift when ≥ threshold (default 0.1). Numeric only.</summary>
    Wasserstein,

    /// <summary>Jensen–Shannon distance; drift when ≥ threshold (default 0.1).</summary>
    JensenShannon,

    /// <summary>Population stability index; drift when ≥ threshold (default 0.1).</summary>
    Psi,
}
