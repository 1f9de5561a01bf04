using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Inference.Packaging;

/// <summary>Makes a one-row input example (zeros and empty strings) for a model that came without one, so it can be warmed.</summary>
internal static class ExampleSynthesizer
{
    public static InferenceBatch Synthesize(InputLayout layout)
    {
        var tensors = new Tensor[layout.Inputs.Length];
        foreach (var input in layout.Inputs)
        {
            var shape = input.Spec.Shape.Count == 0 ? [1L] : input.Spec.Shape.Select((d, i) => d > 0 ? d : 1L).ToArray();
            var length = (int)Tensor.ElementCount(shape);
            var data = ValueWriter.Allocate(input.Spec.DataType, length);
            if (data is string[] strings)
            {
                Array.Fill(strings, "");
            }

            tensors[input.Index] = new Tensor(input.Spec.Name, input.Spec.DataType, shape, data, length);
        }

        return new InferenceBatch(tensors, (int)tensors[0].Shape[0]);
    }
}
