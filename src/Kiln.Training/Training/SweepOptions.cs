namespace Kiln.Training.Training;

/// <summary>What a sweep trains on and how much it tries.</summary>
public sealed record SweepOptions
{
    /// <summary>A CSV or Parquet file with a header row.</summary>
    public required string DataPath { get; init; }

    /// <summary>The label column.</summary>
    public required string Label { get; init; }

    /// <summary>The folder that receives one package folder per trial (created if absent).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The task; null detects it from the label.</summary>
    public Data.TrainingTask? Task { get; init; }

    /// <summary>Any of <see cref="SweepAlgorithms.All"/>; empty means all three.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = SweepAlgorithms.All;

    /// <summary>Trials in total, spread round-robin over the algorithms.</summary>
    public int Trials { get; init; } = 6;

    /// <summary>Columns left out of the features (e.g. <c>duration</c>, which leaks the label in the bank data).</summary>
    public IReadOnlyList<string> ExcludeColumns { get; init; } = [];

    /// <summary>Seeds the split, the search and every trainer: the same seed gives the same metrics.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The share of labelled rows held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>How many trials train at once (each on one thread); 0 means one per processor.</summary>
    public int MaxParallelTrials { get; init; }
}
