using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Kiln.Inference.Trees.XGBoost;

/// <summary>
/// Rewrites Universal Binary JSON (what XGBoost's <c>save_model("model.ubj")</c> writes, and MLflow's xgboost flavor
/// with <c>model_format: ubj</c>) as JSON text, so one reader serves both formats. Big-endian numbers; objects whose keys
/// carry a length marker and no 'S'; strongly typed arrays (<c>[$d#L…</c>) for XGBoost's float and integer vectors.
/// A float32 is written as its exact double value, so reading it back as a float gives the same bits.
/// No System.Formats library reads UBJSON, and this is the whole of it that XGBoost uses.
/// </summary>
internal static class UbjsonToJson
{
    private const int MaxDepth = 256;

    public static byte[] Convert(ReadOnlySpan<byte> ubjson)
    {
        var output = new ArrayBufferWriter<byte>(ubjson.Length * 2);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false }))
        {
            var reader = new Reader(ubjson);
            reader.Value(writer, reader.Marker(), 0);
            if (!reader.AtEnd)
            {
                throw new InvalidDataException("bytes follow the model's last value");
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte Marker()
        {
            byte marker;
            do
            {
                marker = Take(1)[0];
            }
            while (marker == (byte)'N'); // no-op
            return marker;
        }

        public void Value(Utf8JsonWriter writer, byte marker, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new InvalidDataException($"nests deeper than {MaxDepth}");
            }

            switch (marker)
            {
                case (byte)'{': Object(writer, depth); break;
                case (byte)'[': Array(writer, depth); break;
                case (byte)'Z': writer.WriteNullValue(); break;
                case (byte)'T': writer.WriteBooleanValue(true); break;
                case (byte)'F': writer.WriteBooleanValue(false); break;
                case (byte)'S': writer.WriteStringValue(Utf8(Length(Marker()))); break;
                case (byte)'C': writer.WriteStringValue(Utf8(1)); break;
                case (byte)'H': writer.WriteRawValue(Utf8Bytes(Length(Marker())), skipInputValidation: false); break;
                case (byte)'d': writer.WriteNumberValue((double)BinaryPrimitives.ReadSingleBigEndian(Take(4))); break;
                case (byte)'D': writer.WriteNumberValue(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                default: writer.WriteNumberValue(Integer(marker)); break;
            }
        }

        private void Object(Utf8JsonWriter writer, int depth)
        {
            writer.WriteStartObject();
            var (type, count) = Container();
            for (var i = 0; count < 0 || i < count; i++)
            {
                var next = Take(1)[0];
                if (count < 0 && next == (byte)'}')
                {
                    break;
                }

                writer.WritePropertyName(Utf8(Length(next)));
                Value(writer, type ?? Marker(), depth + 1);
            }

            writer.WriteEndObject();
        }

        private void Array(Utf8JsonWriter writer, int depth)
        {
            writer.WriteStartArray();
            var (type, count) = Container();
            for (var i = 0; count < 0 || i < count; i++)
            {
                var next = type ?? Marker();
                if (count < 0 && next == (byte)']')
                {
                    break;
                }

                Value(writer, next, depth + 1);
            }

            writer.WriteEndArray();
        }

        /// <summary>An optimised container's header: <c>$type</c> and/or <c>#count</c> (a typed container always has a count).</summary>
        private (byte? Type, long Count) Container()
        {
            byte? type = null;
            long count = -1;
            if (_position < _data.Length && _data[_position] == (byte)'$')
            {
                _position++;
                type = Take(1)[0];
            }

            if (_position < _data.Length && _data[_position] == (byte)'#')
            {
                _position++;
                count = Length(Marker());
            }
            else if (type is not null)
            {
                throw new InvalidDataException("a typed container has no count");
            }

            if (count > _data.Length - _position && type is not ((byte)'Z' or (byte)'T' or (byte)'F'))
            {
                throw new InvalidDataException("a container claims more values than the file holds");
            }

            return (type, count);
        }

        private int Length(byte marker)
        {
            var length = Integer(marker);
            return length is >= 0 and <= int.MaxValue ? (int)length : throw new InvalidDataException("a negative or huge length");
        }

        private long Integer(byte marker) => marker switch
        {
            (byte)'i' => (sbyte)Take(1)[0],
            (byte)'U' => Take(1)[0],
            (byte)'I' => BinaryPrimitives.ReadInt16BigEndian(Take(2)),
            (byte)'l' => BinaryPrimitives.ReadInt32BigEndian(Take(4)),
            (byte)'L' => BinaryPrimitives.ReadInt64BigEndian(Take(8)),
            _ => throw new InvalidDataException($"unknown UBJSON marker 0x{marker:x2} at byte {_position - 1}"),
        };

        private string Utf8(int length) => Encoding.UTF8.GetString(Take(length));

        private byte[] Utf8Bytes(int length) => Take(length).ToArray();

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _data.Length - _position)
            {
                throw new InvalidDataException("the file ends inside a value");
            }

            var span = _data.Slice(_position, count);
            _position += count;
            return span;
        }
    }
}
