using System.Globalization;
using Kiln.Core.Tensors;

namespace Kiln.Monitoring.PredictionLog;

/// <summary>Reads single elements of a typed tensor as a number or as text, whatever its element type.</summary>
internal static class TensorValues
{
    public static bool IsText(Tensor tensor) => tensor.Data is string[];

    public static double GetDouble(Tensor tensor, int index) => tensor.Data switch
    {
        float[] a => a[index],
        double[] a => a[index],
        long[] a => a[index],
        int[] a => a[index],
        short[] a => a[index],
        sbyte[] a => a[index],
        byte[] a => a[index],
        ushort[] a => a[index],
        uint[] a => a[index],
        ulong[] a => a[index],
        Half[] a => (double)a[index],
        bool[] a => a[index] ? 1 : 0,
        string[] a => double.TryParse(a[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN,
        _ => double.NaN,
    };

    public static string GetText(Tensor tensor, int index) => tensor.Data switch
    {
        string[] a => a[index],
        bool[] a => a[index] ? "true" : "false",
        float[] a => a[index].ToString("R", CultureInfo.InvariantCulture),
        double[] a => a[index].ToString("R", CultureInfo.InvariantCulture),
        _ => GetDouble(tensor, index).ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Elements per row: everything after the batch dimension.</summary>
    public static int PerRow(Tensor tensor, int rows) => rows == 0 ? 0 : tensor.Length / rows;
}
