using Kiln.Core;

namespace Kiln.Training.Data;

/// <summary>A deterministic train/validation split of the labelled rows.</summary>
/// <param name="Training">Positions (into <see cref="EncodedLabels.Rows"/>) used for training, ascending.</param>
/// <param name="Validation">Positions used for validation, ascending.</param>
public sealed record DataSplit(int[] Training, int[] Validation)
{
    /// <summary>
    /// Splits with a seeded shuffle. Classification splits are stratified: each class gives the same
    /// fraction of its rows to validation, so a rare positive class is represented in both parts.
    /// </summary>
    public static DataSplit Create(EncodedLabels labels, TrainingTask task, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw KilnException.Invalid("validationFraction", $"is {validationFraction}; it must lie strictly between 0 and 1.");
        }

        var random = new Random(seed);
        var strata = task == TrainingTask.Regression
            ? [Enumerable.Range(0, labels.Rows.Length).ToArray()]
            : Enumerable.Range(0, labels.Rows.Length).GroupBy(i => labels.Values[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var training = new List<int>(labels.Rows.Length);
        var validation = new List<int>((int)(labels.Rows.Length * validationFraction) + strata.Length);
        foreach (var stratum in strata)
        {
            random.Shuffle(stratum);
            var take = (int)Math.Round(stratum.Length * validationFraction, MidpointRounding.AwayFromZero);
            if (stratum.Length >= 2)
            {
                take = Math.Clamp(take, 1, stratum.Length - 1);
            }

            validation.AddRange(stratum.AsSpan(0, take));
            training.AddRange(stratum.AsSpan(take));
        }

        if (training.Count == 0 || validation.Count == 0)
        {
            throw KilnException.Invalid("data", $"has {labels.Rows.Length} labelled rows, too few to split into training and validation.");
        }

        training.Sort();
        validation.Sort();
        return new DataSplit(training.ToArray(), validation.ToArray());
    }
}
