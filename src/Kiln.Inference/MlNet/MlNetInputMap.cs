using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Inference.MlNet;

/// <summary>
/// Where each named input of an mlnet model goes: a slot of the numeric vector or of the
/// categorical vector. Worked out and checked once per loaded model.
/// </summary>
internal sealed class MlNetInputMap
{
    private readonly int[] _numericInput;
    private readonly int[] _categoricalInput;

    private MlNetInputMap(int[] numericInput, int[] categoricalInput)
    {
        _numericInput = numericInput;
        _categoricalInput = categoricalInput;
    }

    public int NumericCount => _numericInput.Length;

    public int CategoricalCount => _categoricalInput.Length;

    public static MlNetInputMap Create(ModelSignature signature, MlNetFlavorOptions options)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            var spec = signature.Inputs[i];
            if (!index.TryAdd(spec.Name, i))
            {
                throw KilnException.Invalid("signature", $"input '{spec.Name}' is named twice.");
            }

            if (ElementsPerRow(spec) != 1)
            {
                throw KilnException.Invalid("signature", $"input '{spec.Name}' must hold one value per row (shape [-1, 1]) in an mlnet model.");
            }
        }

        var numeric = Resolve(options.NumericInputs, index, signature, numericKind: true);
        var categorical = Resolve(options.CategoricalInputs, index, signature, numericKind: false);
        if (numeric.Length + categorical.Length != signature.Inputs.Count)
        {
            var used = options.NumericInputs.Concat(options.CategoricalInputs).ToHashSet(StringComparer.Ordinal);
            var extra = signature.Inputs.First(i => !used.Contains(i.Name));
            throw KilnException.Invalid("signature", $"input '{extra.Name}' is not one of the model's features.");
        }

        if (numeric.Length + categorical.Length == 0)
        {
            throw KilnException.Invalid("signature", "an mlnet model needs at least one input.");
        }

        return new MlNetInputMap(numeric, categorical);
    }

    /// <summary>The batch's features as one array per vector slot; FP32 and BYTES inputs are used as they are, other numbers converted.</summary>
    public BatchColumns Columns(InferenceBatch batch)
    {
        var numeric = new float[_numericInput.Length][];
        for (var s = 0; s < numeric.Length; s++)
        {
            numeric[s] = ToSingles(batch.Inputs[_numericInput[s]], batch.Rows);
        }

        var categorical = new string?[_categoricalInput.Length][];
        for (var s = 0; s < categorical.Length; s++)
        {
            var tensor = batch.Inputs[_categoricalInput[s]];
            categorical[s] = tensor.Data as string[]
                ?? throw KilnException.Invalid(tensor.Name, $"expected BYTES (strings), got {tensor.DataType.ToV2Name()}.");
            CheckLength(tensor, batch.Rows);
        }

        return new BatchColumns(numeric, categorical, batch.Rows);
    }

    private static int[] Resolve(IReadOnlyList<string> names, Dictionary<string, int> index, ModelSignature signature, bool numericKind)
    {
        var result = new int[names.Count];
        for (var s = 0; s < names.Count; s++)
        {
            if (!index.TryGetValue(names[s], out var i))
            {
                throw KilnException.Invalid("signature", $"has no input '{names[s]}', which the mlnet model reads.");
            }

            var type = signature.Inputs[i].DataType;
            var fits = numericKind ? type.IsNumeric() : type == TensorDataType.Bytes;
            if (!fits)
            {
                throw KilnException.Invalid("signature", $"input '{names[s]}' is {type.ToV2Name()}, but the model reads it as {(numericKind ? "a number" : "a string (BYTES)")}.");
            }

            result[s] = i;
        }

        return result;
    }

    private static float[] ToSingles(Tensor tensor, int rows)
    {
        CheckLength(tensor, rows);
        if (tensor.Data is float[] floats)
        {
            return floats;
        }

        var result = new float[rows];
        switch (tensor.Data)
        {
            case double[] d: Convert(d, result); break;
            case long[] l: Convert(l, result); break;
            case int[] i: Convert(i, result); break;
            case short[] s: Convert(s, result); break;
            case sbyte[] sb: Convert(sb, result); break;
            case ulong[] ul: Convert(ul, result); break;
            case uint[] ui: Convert(ui, result); break;
            case ushort[] us: Convert(us, result); break;
            case byte[] b: Convert(b, result); break;
            case Half[] h:
                for (var r = 0; r < rows; r++)
                {
                    result[r] = (float)h[r];
                }

                break;
            default:
                throw KilnException.Invalid(tensor.Name, $"expected a number, got {tensor.DataType.ToV2Name()}.");
        }

        return result;

        static void Convert<T>(T[] source, float[] target)
            where T : System.Numerics.INumberBase<T>
        {
            for (var r = 0; r < target.Length; r++)
            {
                target[r] = float.CreateTruncating(source[r]);
            }
        }
    }

    private static void CheckLength(Tensor tensor, int rows)
    {
        if (tensor.Length < rows || tensor.Data.Length < rows)
        {
            throw KilnException.Invalid(tensor.Name, $"has {tensor.Length} values for {rows} rows; an mlnet input holds one value per row.");
        }
    }

    private static long ElementsPerRow(TensorSpec spec)
    {
        long count = 1;
        for (var d = 1; d < spec.Shape.Count; d++)
        {
            count *= spec.Shape[d];
        }

        return count;
    }
}

/// <summary>A batch's features: one array per numeric slot and per categorical slot, <see cref="Rows"/> values each.</summary>
internal sealed record BatchColumns(float[][] Numeric, string?[][] Categorical, int Rows)
{
    public void FillRow(int row, MlNetFeatureRow target)
    {
        var numeric = target.Numeric;
        for (var s = 0; s < numeric.Length; s++)
        {
            numeric[s] = Numeric[s][row];
        }

        var categorical = target.Categorical;
        for (var s = 0; s < categorical.Length; s++)
        {
            categorical[s] = Categorical[s][row] ?? string.Empty;
        }
    }
}
