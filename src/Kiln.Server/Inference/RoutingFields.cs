using System.Globalization;
using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;

namespace Kiln.Server.Inference;

/// <summary>Reads a deployment's routing field from a decoded request: the first row's value, as text.</summary>
internal static class RoutingFields
{
    public static string? Read(InferenceBatch batch, InputLayout layout, string field)
    {
        if (!layout.TryGetField(field, out var slot) || batch.Rows == 0)
        {
            return null;
        }

        var tensor = batch.Inputs[slot.InputIndex];
        var index = slot.Offset;
        return tensor.Data switch
        {
            string[] text => text[index],
            float[] a => a[index].ToString("R", CultureInfo.InvariantCulture),
            double[] a => a[index].ToString("R", CultureInfo.InvariantCulture),
            long[] a => a[index].ToString(CultureInfo.InvariantCulture),
            int[] a => a[index].ToString(CultureInfo.InvariantCulture),
            bool[] a => a[index] ? "true" : "false",
            _ => null,
        };
    }
}
