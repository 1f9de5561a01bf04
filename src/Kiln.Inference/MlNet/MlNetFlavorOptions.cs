using System.Buffers;
using System.Text.Json;
using Kiln.Core;

namespace Kiln.Inference.MlNet;

/// <summary>
/// What an mlnet package's runtime needs beyond its signature, stored as the manifest's
/// <c>FlavorOptions</c>: the task, which named inputs fill the numeric and categorical vectors (in
/// slot order), and the class labels in the order of the model's scores.
/// </summary>
/// <param name="Task"><c>binary</c>, <c>multiclass</c> or <c>regression</c>.</param>
/// <param name="NumericInputs">Inputs feeding <see cref="MlNetFeatureRow.Numeric"/>, slot by slot.</param>
/// <param name="CategoricalInputs">Inputs feeding <see cref="MlNetFeatureRow.Categorical"/>, slot by slot.</param>
/// <param name="ClassLabels">Binary: [negative, positive]; multiclass: one per score; regression: empty.</param>
public sealed record MlNetFlavorOptions(string Task, IReadOnlyList<string> NumericInputs, IReadOnlyList<string> CategoricalInputs, IReadOnlyList<string> ClassLabels)
{
    public const string BinaryTask = "binary";
    public const string MulticlassTask = "multiclass";
    public const string RegressionTask = "regression";

    /// <summary>The package's ML.NET model file.</summary>
    public const string ModelFileName = "model.zip";

    /// <summary>Output with the predicted class label (binary, multiclass).</summary>
    public const string LabelOutput = "label";

    /// <summary>Output with the class probabilities, FP32 [rows, classes] (binary, multiclass).</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>Output with the predicted value, FP32 [rows] (regression).</summary>
    public const string PredictionOutput = "prediction";

    private const string TaskKey = "task";
    private const string NumericKey = "numeric_inputs";
    private const string CategoricalKey = "categorical_inputs";
    private const string ClassLabelsKey = "class_labels";
    private const string VersionKey = "format_version";
    private const string Version = "1";

    /// <summary>The manifest form: strings, lists as JSON arrays.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => new Dictionary<string, string>
    {
        [VersionKey] = Version,
        [TaskKey] = Task,
        [NumericKey] = JsonArray(NumericInputs),
        [CategoricalKey] = JsonArray(CategoricalInputs),
        [ClassLabelsKey] = JsonArray(ClassLabels),
    };

    /// <summary>Reads the manifest form; a missing or malformed entry is an invalid package.</summary>
    public static MlNetFlavorOptions Parse(IReadOnlyDictionary<string, string>? options)
    {
        if (options is null)
        {
            throw KilnException.Invalid("flavorOptions", "are required for the mlnet flavor.");
        }

        if (options.TryGetValue(VersionKey, out var version) && version != Version)
        {
            throw KilnException.Invalid($"flavorOptions.{VersionKey}", $"is '{version}'; this Kiln reads version {Version}.");
        }

        var task = Required(options, TaskKey);
        if (task is not (BinaryTask or MulticlassTask or RegressionTask))
        {
            throw KilnException.Invalid($"flavorOptions.{TaskKey}", $"is '{task}'; expected binary, multiclass or regression.");
        }

        var parsed = new MlNetFlavorOptions(task, ReadArray(options, NumericKey), ReadArray(options, CategoricalKey), ReadArray(options, ClassLabelsKey));
        var expectedClasses = task switch { BinaryTask => 2, RegressionTask => 0, _ => -1 };
        if (expectedClasses >= 0 ? parsed.ClassLabels.Count != expectedClasses : parsed.ClassLabels.Count < 2)
        {
            throw KilnException.Invalid($"flavorOptions.{ClassLabelsKey}", $"has {parsed.ClassLabels.Count} labels, which does not fit a {task} model.");
        }

        return parsed;
    }

    private static string Required(IReadOnlyDictionary<string, string> options, string key) =>
        options.TryGetValue(key, out var value) ? value : throw KilnException.Invalid($"flavorOptions.{key}", "is required.");

    private static string[] ReadArray(IReadOnlyDictionary<string, string> options, string key)
    {
        var text = Required(options, key);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw KilnException.Invalid($"flavorOptions.{key}", "is not a JSON array of strings.");
            }

            var values = new string[document.RootElement.GetArrayLength()];
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                values[index++] = item.ValueKind == JsonValueKind.String
                    ? item.GetString()!
                    : throw KilnException.Invalid($"flavorOptions.{key}", "is not a JSON array of strings.");
            }

            return values;
        }
        catch (JsonException)
        {
            throw KilnException.Invalid($"flavorOptions.{key}", "is not a JSON array of strings.");
        }
    }

    private static string JsonArray(IReadOnlyList<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
