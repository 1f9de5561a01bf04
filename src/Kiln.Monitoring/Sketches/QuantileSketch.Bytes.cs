using Kiln.Core.Binary;

namespace Kiln.Monitoring.Sketches;

public sealed partial class QuantileSketch
{
    private const byte FormatVersion = 1;

    /// <summary>
    /// The sketch as compact bytes: a version byte, then little-endian settings, moments, the zero count,
    /// both bucket stores (lowest key and counts) and the exact value counts.
    /// </summary>
    /// <returns>The bytes; <see cref="FromBytes"/> reads them back.</returns>
    public byte[] ToBytes()
    {
        var writer = new LittleEndianWriter();
        Write(writer);
        return writer.ToArray();
    }

    /// <summary>Reads a sketch written by <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The sketch.</returns>
    /// <exception cref="FormatException">The bytes are not a sketch of a supported version.</exception>
    public static QuantileSketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        var reader = new LittleEndianReader(bytes);
        var sketch = Read(ref reader);
        reader.ExpectEnd();
        return sketch;
    }

    internal void Write(LittleEndianWriter writer)
    {
        writer.Byte(FormatVersion);
        writer.Double(RelativeAccuracy);
        writer.Int32(MaxBuckets);
        writer.Int64(Count);
        writer.Int64(Missing);
        writer.Double(_mean);
        writer.Double(_m2);
        writer.Double(Min);
        writer.Double(Max);
        writer.Int64(_zero);
        WriteStore(writer, _positive);
        WriteStore(writer, _negative);
        writer.Int32(_exact.Overflowed ? -1 : _exact.Count);
        for (var i = 0; !_exact.Overflowed && i < _exact.Count; i++)
        {
            writer.Double(_exact.ValueAt(i));
            writer.Int64(_exact.CountAt(i));
        }
    }

    internal static QuantileSketch Read(ref LittleEndianReader reader)
    {
        reader.Version(FormatVersion, "quantile sketch");
        var accuracy = reader.Double();
        var maxBuckets = reader.Int32();
        if (!(accuracy > 0 && accuracy < 1) || maxBuckets < 16)
        {
            throw new FormatException("The quantile sketch settings are invalid.");
        }

        var sketch = new QuantileSketch(accuracy, maxBuckets)
        {
            Count = reader.Int64(),
            Missing = reader.Int64(),
        };
        sketch._mean = reader.Double();
        sketch._m2 = reader.Double();
        sketch.Min = reader.Double();
        sketch.Max = reader.Double();
        sketch._zero = reader.Int64();
        ReadStore(ref reader, sketch._positive);
        ReadStore(ref reader, sketch._negative);
        var exact = reader.Int32();
        if (exact < 0)
        {
            sketch._exact.MarkOverflowed();
        }
        else
        {
            if (exact > ExactValues.Capacity)
            {
                throw new FormatException("The quantile sketch bytes are corrupt.");
            }

            for (var i = 0; i < exact; i++)
            {
                sketch._exact.Add(reader.Double(), reader.Int64());
            }
        }

        return sketch;
    }

    private static void WriteStore(LittleEndianWriter writer, BucketStore store)
    {
        if (store.IsEmpty)
        {
            writer.Int32(0);
            return;
        }

        writer.Int32(store.MaxKey - store.MinKey + 1);
        writer.Int32(store.MinKey);
        for (var key = store.MinKey; key <= store.MaxKey; key++)
        {
            writer.Int64(store.CountAt(key));
        }
    }

    private static void ReadStore(ref LittleEndianReader reader, BucketStore store)
    {
        var length = reader.Int32();
        if (length < 0 || length > store.MaxBuckets)
        {
            throw new FormatException("The quantile sketch bytes are corrupt.");
        }

        if (length == 0)
        {
            return;
        }

        var minKey = reader.Int32();
        for (var i = 0; i < length; i++)
        {
            store.Add(minKey + i, reader.Int64());
        }
    }
}
