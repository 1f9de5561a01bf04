using Kiln.Core.Packaging;

namespace Kiln.Inference.Decoding;

/// <summary>
/// How a model's inputs take data, worked out once per loaded model: how many elements each
/// input has per row, and which named fields (columns, or whole inputs) a record-style request may use.
/// </summary>
public sealed class InputLayout
{
    private readonly Dictionary<string, FieldSlot> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inputIndex = new(StringComparer.Ordinal);

    public InputLayout(ModelSignature signature)
    {
        Signature = signature;
        Inputs = new InputSlot[signature.Inputs.Count];
        for (var i = 0; i < Inputs.Length; i++)
        {
            var spec = signature.Inputs[i];
            var perRow = ElementsPerRow(spec);
            Inputs[i] = new InputSlot(i, spec, perRow);
            _inputIndex[spec.Name] = i;
            if (spec.Columns is { } columns)
            {
                for (var c = 0; c < columns.Count; c++)
                {
                    _fields[columns[c]] = new FieldSlot(columns[c], i, c, 1);
                }
            }
        }

        // A whole input is a field too (one value per row, or an array of them), unless a column already has its name.
        foreach (var input in Inputs)
        {
            if (input.ElementsPerRow > 0)
            {
                _fields.TryAdd(input.Spec.Name, new FieldSlot(input.Spec.Name, input.Index, 0, input.ElementsPerRow));
            }
        }

        FieldCount = _fields.Count;
        Fields = _fields.Values.ToArray();
        RequiredFields = ComputeRequiredFields();
    }

    public ModelSignature Signature { get; }

    public InputSlot[] Inputs { get; }

    /// <summary>Every field a record may name.</summary>
    public IReadOnlyList<FieldSlot> Fields { get; }

    /// <summary>The fields a complete record names: each column, and each input that has no columns.</summary>
    public IReadOnlyList<FieldSlot> RequiredFields { get; }

    public int FieldCount { get; }

    public bool TryGetField(string name, out FieldSlot field) => _fields.TryGetValue(name, out field!);

    public bool TryGetInput(string name, out InputSlot input)
    {
        if (_inputIndex.TryGetValue(name, out var index))
        {
            input = Inputs[index];
            return true;
        }

        input = null!;
        return false;
    }

    /// <summary>Names of the fields a record should carry, for error messages.</summary>
    public string DescribeFields(int max = 20)
    {
        var names = RequiredFields.Select(f => f.Name).ToArray();
        return names.Length <= max ? string.Join(", ", names) : string.Join(", ", names.Take(max)) + $", … ({names.Length} in all)";
    }

    public string DescribeInputs() => string.Join(", ", Inputs.Select(i => i.Spec.Name));

    private FieldSlot[] ComputeRequiredFields()
    {
        var required = new List<FieldSlot>();
        foreach (var input in Inputs)
        {
            if (input.Spec.Columns is { } columns)
            {
                required.AddRange(columns.Select(c => _fields[c]));
            }
            else if (input.ElementsPerRow > 0)
            {
                required.Add(_fields[input.Spec.Name]);
            }
        }

        return required.ToArray();
    }

    private static int ElementsPerRow(TensorSpec spec)
    {
        if (spec.Columns is { Count: > 0 } columns)
        {
            return columns.Count;
        }

        long count = 1;
        for (var d = 1; d < spec.Shape.Count; d++)
        {
            if (spec.Shape[d] < 0)
            {
                return -1;
            }

            count *= spec.Shape[d];
        }

        return (int)count;
    }
}

/// <summary>One model input: its spec and its elements per row (-1 when a non-batch dimension is dynamic).</summary>
public sealed record InputSlot(int Index, TensorSpec Spec, int ElementsPerRow);

/// <summary>A named field of a record: <paramref name="Width"/> elements at <paramref name="Offset"/> within a row of input <paramref name="InputIndex"/>.</summary>
public readonly record struct FieldSlot(string Name, int InputIndex, int Offset, int Width);
