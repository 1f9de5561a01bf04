using Kiln.Core.Packaging;
using Kiln.Training.Data;

namespace Kiln.Training.Training;

/// <summary>One trained and evaluated trial.</summary>
/// <param name="Index">The trial's number in the sweep's plan (0-based).</param>
/// <param name="Algorithm">One of <see cref="SweepAlgorithms.All"/>.</param>
/// <param name="Parameters">The hyper-parameters, as strings (the algorithm included).</param>
/// <param name="Metrics">Validation metrics (see <see cref="TrialMetrics"/>), with the training time.</param>
/// <param name="TrainingTime">Time to fit the trainer.</param>
/// <param name="PackageDirectory">The folder holding <c>model.zip</c> and <c>kiln-model.json</c>.</param>
/// <param name="Manifest">The package's manifest, as written to <c>kiln-model.json</c>.</param>
public sealed record TrialResult(
    int Index,
    string Algorithm,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, double> Metrics,
    TimeSpan TrainingTime,
    string PackageDirectory,
    ModelManifest Manifest);

/// <summary>The features and label a sweep trained on.</summary>
/// <param name="Features">The model's input columns in table order.</param>
/// <param name="Label">The label, task and classes.</param>
/// <param name="ExcludedColumns">Columns left out on request.</param>
public sealed record TrainingSchema(IReadOnlyList<FeatureColumn> Features, LabelInfo Label, IReadOnlyList<string> ExcludedColumns);

/// <summary>One input column of the model.</summary>
/// <param name="Name">The column's name, also the model input's name.</param>
/// <param name="Kind">Numeric (FP32 input) or categorical (BYTES input).</param>
/// <param name="Missing">Missing values in the whole file.</param>
public sealed record FeatureColumn(string Name, ColumnKind Kind, int Missing);

/// <summary>What a sweep did: every trial ranked, the best, and what it trained on.</summary>
/// <param name="Trials">Every trial, best first by <see cref="PrimaryMetric"/>.</param>
/// <param name="PrimaryMetric">The ranking metric.</param>
/// <param name="HigherIsBetter">Whether larger values of it rank first.</param>
/// <param name="Schema">Features and label.</param>
/// <param name="Dataset">The data file, its digest, schema and training profile.</param>
/// <param name="Elapsed">Time for the whole sweep, loading included.</param>
public sealed record SweepResult(
    IReadOnlyList<TrialResult> Trials,
    string PrimaryMetric,
    bool HigherIsBetter,
    TrainingSchema Schema,
    DatasetInfo Dataset,
    TimeSpan Elapsed)
{
    /// <summary>The best trial.</summary>
    public TrialResult Best => Trials[0];

    /// <summary>The data as loaded (excluded columns left out), for writing the validation rows out.</summary>
    public TabularData? Data { get; init; }

    /// <summary>The rows of <see cref="Data"/> the trials were validated on and never trained on, ascending.</summary>
    public IReadOnlyList<int> ValidationRows { get; init; } = [];

    /// <summary>Writes the validation rows as CSV: held-out rows on which a candidate can be compared with a champion fairly.</summary>
    public void WriteValidationCsv(TextWriter writer) =>
        TabularCsv.Write(writer, Data ?? throw new InvalidOperationException("The sweep kept no data."), ValidationRows);
}

/// <summary>Where a sweep is.</summary>
public enum SweepStage
{
    /// <summary>The data is loaded, profiled and split; trials start.</summary>
    Prepared,

    /// <summary>A trial finished; <see cref="TrialProgress.Trial"/> has its result.</summary>
    TrialCompleted,
}

/// <summary>Progress of a sweep, for a progress bar.</summary>
/// <param name="Stage">What just happened.</param>
/// <param name="Completed">Trials finished so far.</param>
/// <param name="Total">Trials planned.</param>
/// <param name="Trial">The trial that just finished (stage <see cref="SweepStage.TrialCompleted"/>).</param>
/// <param name="Message">A line for a log: what was prepared, or the trial's score.</param>
public sealed record TrialProgress(SweepStage Stage, int Completed, int Total, TrialResult? Trial, string Message);
