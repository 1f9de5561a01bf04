using System.Globalization;
using Kiln.Core;

namespace Kiln.Training.Data;

/// <summary>The label column, the task it implies, and its classes.</summary>
/// <param name="Column">The label column's name.</param>
/// <param name="Task">The task, given or detected.</param>
/// <param name="Classes">Binary: [negative, positive]; multiclass: in score order (sorted); regression: empty.</param>
public sealed record LabelInfo(string Column, TrainingTask Task, IReadOnlyList<string> Classes)
{
    /// <summary>At most this many distinct labels make a detected multiclass task.</summary>
    public const int MaxDetectedClasses = 20;

    private static readonly string[][] KnownPairs = [["no", "yes"], ["false", "true"], ["0", "1"]];

    /// <summary>
    /// Works out the task (when <paramref name="task"/> is null) and the classes: two distinct values make
    /// a binary task; up to <see cref="MaxDetectedClasses"/> text or integer values a multiclass task;
    /// other numbers a regression. For binary labels yes/true/1 is positive, else the rarer value.
    /// </summary>
    public static LabelInfo Resolve(TabularColumn label, TrainingTask? task)
    {
        ArgumentNullException.ThrowIfNull(label);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var integers = true;
        for (var row = 0; row < label.Length; row++)
        {
            if (label.Text(row) is not { } text)
            {
                continue;
            }

            counts[text] = counts.GetValueOrDefault(text) + 1;
            if (label.Numbers is { } numbers && numbers[row] != Math.Floor(numbers[row]))
            {
                integers = false;
            }

            if (counts.Count > 100_000 && label.Kind == ColumnKind.Numeric)
            {
                break;
            }
        }

        var field = $"label '{label.Name}'";
        if (counts.Count < 2)
        {
            throw KilnException.Invalid(field, $"has {counts.Count} distinct value(s); a model needs at least two.");
        }

        var numeric = label.Kind == ColumnKind.Numeric;
        var resolved = task ?? Detect(counts.Count, numeric, integers, field);
        return resolved switch
        {
            TrainingTask.Binary when counts.Count != 2 =>
                throw KilnException.Invalid(field, $"has {counts.Count} distinct values; a binary task needs exactly two."),
            TrainingTask.Binary => new LabelInfo(label.Name, resolved, BinaryClasses(counts)),
            TrainingTask.Regression when !numeric =>
                throw KilnException.Invalid(field, "has values that are not numbers; a regression needs a numeric label."),
            TrainingTask.Regression => new LabelInfo(label.Name, resolved, []),
            _ => new LabelInfo(label.Name, resolved, SortClasses(counts.Keys, numeric)),
        };
    }

    /// <summary>
    /// The rows that have a label, with each label encoded for ML.NET: binary as true (positive) or false,
    /// multiclass as the class index, regression as the value.
    /// </summary>
    public EncodedLabels Encode(TabularColumn label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var rows = new List<int>(label.Length);
        var values = new List<float>(label.Length);
        var index = Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        for (var row = 0; row < label.Length; row++)
        {
            if (label.IsMissing(row))
            {
                continue;
            }

            rows.Add(row);
            values.Add(Task == TrainingTask.Regression ? (float)label.Numbers![row] : index[label.Text(row)!]);
        }

        return new EncodedLabels(rows.ToArray(), values.ToArray());
    }

    private static TrainingTask Detect(int distinct, bool numeric, bool integers, string field)
    {
        if (distinct == 2)
        {
            return TrainingTask.Binary;
        }

        if (distinct <= MaxDetectedClasses && (!numeric || integers))
        {
            return TrainingTask.Multiclass;
        }

        return numeric
            ? TrainingTask.Regression
            : throw KilnException.Invalid(field, $"has {distinct} distinct text values, too many to guess a task; pass the task (multiclass) explicitly.");
    }

    private static string[] BinaryClasses(Dictionary<string, int> counts)
    {
        var values = counts.Keys.ToArray();
        foreach (var pair in KnownPairs)
        {
            var negative = values.FirstOrDefault(v => v.Equals(pair[0], StringComparison.OrdinalIgnoreCase));
            var positive = values.FirstOrDefault(v => v.Equals(pair[1], StringComparison.OrdinalIgnoreCase));
            if (negative is not null && positive is not null)
            {
                return [negative, positive];
            }
        }

        // The rarer value is what a binary model usually looks for (fraud, churn, response); a tie takes the later in order.
        var ordered = values.Order(StringComparer.Ordinal).ToArray();
        return counts[ordered[0]] < counts[ordered[1]] ? [ordered[1], ordered[0]] : [ordered[0], ordered[1]];
    }

    private static string[] SortClasses(IEnumerable<string> classes, bool numeric) => numeric
        ? classes.OrderBy(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray()
        : classes.Order(StringComparer.Ordinal).ToArray();
}

/// <summary>The labelled rows of a table and their encoded labels, index for index.</summary>
/// <param name="Rows">Row numbers (in the table) that have a label, ascending.</param>
/// <param name="Values">Binary: 1 positive, 0 negative; multiclass: the class index; regression: the value.</param>
public sealed record EncodedLabels(int[] Rows, float[] Values);
