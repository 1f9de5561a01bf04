using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Packaging;

/// <summary>Combines the signature read from the graph with what the user or MLflow says about its columns.</summary>
internal static class SignatureReconciler
{
    /// <summary>Names the columns of a single 2-D input, e.g. skl2onnx's <c>float_input [N, k]</c>.</summary>
    public static ModelSignature ApplyFeatureNames(ModelSignature signature, IReadOnlyList<string> names, string field = "featureNames")
    {
        if (signature.Inputs.Count != 1 || signature.Inputs[0].Shape.Count != 2)
        {
            throw KilnException.Invalid(field, $"apply only to a model with one 2-D input; this one takes {Describe(signature)}.");
        }

        var input = signature.Inputs[0];
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw KilnException.Invalid(field, $"'{duplicate.Key}' is named more than once.");
        }

        if (names.Any(string.IsNullOrWhiteSpace))
        {
            throw KilnException.Invalid(field, "has an empty name.");
        }

        if (input.Shape[1] > 0 && input.Shape[1] != names.Count)
        {
            throw KilnException.Invalid(field, $"gives {names.Count} names but input '{input.Name}' has {input.Shape[1]} columns.");
        }

        return signature with { Inputs = [input with { Columns = names.ToArray() }] };
    }

    /// <summary>
    /// Applies MLflow's input schema: tensor specs and column specs that name graph inputs are
    /// checked against them; column specs for a model with one 2-D input name its columns.
    /// </summary>
    public static ModelSignature ApplyMlflowInputs(ModelSignature signature, IReadOnlyList<MlflowSchemaEntry> entries)
    {
        if (entries.Count == 0)
        {
            return signature;
        }

        var byName = entries.All(e => e.Name is not null && signature.FindInput(e.Name) is not null);
        if (byName)
        {
            foreach (var entry in entries)
            {
                var input = signature.FindInput(entry.Name!)!;
                if (!Compatible(entry.DataType, input.DataType))
                {
                    throw KilnException.Invalid("MLmodel signature.inputs", $"'{entry.Name}' is {entry.DataType.ToMlflowName()} but the graph takes {input.DataType.ToV2Name()}.");
                }
            }

            return signature;
        }

        if (entries.All(e => e.IsTensor) && entries.Count == 1 && signature.Inputs.Count == 1)
        {
            return signature;
        }

        if (entries.Any(e => e.IsTensor || e.Name is null))
        {
            throw KilnException.Invalid("MLmodel signature.inputs", $"names inputs that the graph does not have (graph inputs: {Describe(signature)}).");
        }

        var names = entries.Select(e => e.Name!).ToArray();
        var graphInput = signature.Inputs.Count == 1 ? signature.Inputs[0] : null;
        if (graphInput is null || graphInput.Shape.Count != 2)
        {
            throw KilnException.Invalid("MLmodel signature.inputs", $"columns {string.Join(", ", names.Take(8))} match neither the graph's inputs nor a single 2-D input (graph inputs: {Describe(signature)}).");
        }

        foreach (var entry in entries)
        {
            if (!Compatible(entry.DataType, graphInput.DataType))
            {
                throw KilnException.Invalid("MLmodel signature.inputs", $"column '{entry.Name}' is {entry.DataType.ToMlflowName()} but input '{graphInput.Name}' takes {graphInput.DataType.ToV2Name()}.");
            }
        }

        return ApplyFeatureNames(signature, names, "MLmodel signature.inputs");
    }

    /// <summary>MLflow's onnx flavor casts numeric columns to the graph's type; strings only go to strings.</summary>
    private static bool Compatible(TensorDataType declared, TensorDataType graph) =>
        declared == graph || (declared.IsNumeric() && graph.IsNumeric()) || (declared == TensorDataType.Bool && graph == TensorDataType.Bool);

    private static string Describe(ModelSignature signature) =>
        string.Join(", ", signature.Inputs.Select(i => $"{i.Name} {i.DataType.ToV2Name()} [{string.Join(",", i.Shape)}]"));
}
