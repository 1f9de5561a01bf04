using Kiln.Core;

namespace Kiln.Training.Data;

/// <summary>What a model predicts.</summary>
public enum TrainingTask
{
    /// <summary>One of two classes, with the positive class's probability.</summary>
    Binary,

    /// <summary>One of several classes, with a probability per class.</summary>
    Multiclass,

    /// <summary>A number.</summary>
    Regression,
}

/// <summary>Names of <see cref="TrainingTask"/> as the CLI and the mlnet flavor options spell them.</summary>
public static class TrainingTasks
{
    public static string ToName(this TrainingTask task) => task switch
    {
        TrainingTask.Binary => "binary",
        TrainingTask.Multiclass => "multiclass",
        TrainingTask.Regression => "regression",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    /// <summary>Parses <c>binary</c>, <c>multiclass</c> or <c>regression</c> (any case).</summary>
    public static TrainingTask Parse(string name) => name.ToUpperInvariant() switch
    {
        "BINARY" => TrainingTask.Binary,
        "MULTICLASS" => TrainingTask.Multiclass,
        "REGRESSION" => TrainingTask.Regression,
        _ => throw KilnException.Invalid("task", $"is '{name}'; expected binary, multiclass or regression."),
    };
}
