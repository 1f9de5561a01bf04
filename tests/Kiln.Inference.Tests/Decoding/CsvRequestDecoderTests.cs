using System.Text;
using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;
using static Kiln.Inference.Tests.Support.Layouts;

namespace Kiln.Inference.Tests.Decoding;

public class CsvRequestDecoderTests
{
    private static DecodedRequest Decode(string body, InputLayout? layout = null) =>
        CsvRequestDecoder.Decode(Utf8(body), layout ?? Bank);

    [Fact]
    public void Decode_HeaderAndRows_FillsColumnsByName()
    {
        var request = Decode("job,age,campaign,balance\nmanagement,35,2,1500.5\nblue-collar,58,1,-320.75\n");

        Assert.Equal(2, request.Batch.Rows);
        Assert.Equal([35f, 58f], TensorData.Of<float>(request.Batch.Inputs[0]));
        Assert.Equal([1500.5, -320.75], TensorData.Of<double>(request.Batch.Inputs[1]));
        Assert.Equal([2L, 1L], TensorData.Of<long>(request.Batch.Inputs[2]));
        Assert.Equal(["management", "blue-collar"], TensorData.Of<string>(request.Batch.Inputs[3]));
        Assert.All(request.Batch.Inputs, t => Assert.Equal([2L, 1L], t.Shape));
        Assert.Null(request.Id);
        Assert.Null(request.Outputs);
    }

    [Fact]
    public void Decode_QuotedFields_KeepCommasQuotesAndNewlines()
    {
        var request = Decode("age,balance,campaign,job\r\n35,1,2,\"a, \"\"b\"\"\nc\"\r\n");

        Assert.Equal(["a, \"b\"\nc"], TensorData.Of<string>(request.Batch.Inputs[3]));
    }

    [Fact]
    public void Decode_CrlfBlankLinesAndPaddedHeader_AreTolerated()
    {
        var request = Decode("\r\n age , balance,campaign ,job\r\n\r\n 35 , 1e3 , 2 ,x\r\n\r\n");

        Assert.Equal(1, request.Batch.Rows);
        Assert.Equal([35f], TensorData.Of<float>(request.Batch.Inputs[0]));
        Assert.Equal([1000.0], TensorData.Of<double>(request.Batch.Inputs[1]));
        Assert.Equal([2L], TensorData.Of<long>(request.Batch.Inputs[2]));
    }

    [Fact]
    public void Decode_EmptyFloatCells_BecomeNaN()
    {
        var request = Decode("age,balance,campaign,job\n,,2,x\n");

        Assert.True(float.IsNaN(TensorData.Of<float>(request.Batch.Inputs[0])[0]));
        Assert.True(double.IsNaN(TensorData.Of<double>(request.Batch.Inputs[1])[0]));
        Assert.Equal([2L], TensorData.Of<long>(request.Batch.Inputs[2]));
    }

    [Fact]
    public void Decode_ColumnsOfOneInput_FillItsColumns()
    {
        var request = Decode("c,a,b\n3,1,2\n30,10,20", Features);

        Assert.Equal([1f, 2f, 3f, 10f, 20f, 30f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    public static TheoryData<string, string, string> Errors() => new()
    {
        { "", "body", "needs a header row and at least one data row" },
        { "age,balance,campaign,job\n", "body", "needs a header row and at least one data row" },
        { "age,balance,campaign,job\n35,1,2,\"unterminated\n", "body", "ends inside a quoted field" },
        { "age,balance,campaign,job\n35,1,2,a\n36,1,2\n", "csv row 2", "has 3 values but the header names 4 columns" },
        { "age,balance,campaign,job\n35,1,2,a,extra\n", "csv row 1", "has 5 values but the header names 4 columns" },
        { "age,balance,salary,job\n35,1,2,a\n", "csv header", "unknown field 'salary'" },
        { "age,balance,job\n35,1,a\n", "csv row 1", "missing field 'campaign'" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Decode_MalformedCsv_IsInvalidNamingTheField(string body, string field, string mentions) =>
        KilnAssert.Invalid(() => Decode(body), field, mentions);

    public static TheoryData<string, string, string> CellErrors() => new()
    {
        { "age,balance,campaign,job\nold,1,2,a\n", "age", "expected a number, got text" },
        { "age,balance,campaign,job\n35,1,2.5,a\n", "campaign", "expected an integer" },
        { "age,balance,campaign,job\n35,1,,a\n", "campaign", "integer columns cannot hold missing values" },
    };

    [Theory]
    [MemberData(nameof(CellErrors))]
    public void Decode_BadCell_IsInvalidNamingRowAndColumn(string body, string column, string mentions)
    {
        var e = Assert.Throws<Kiln.Core.KilnException>(() => Decode(body));

        Assert.Equal(Kiln.Core.Errors.KilnErrorKind.Invalid, e.Kind);
        Assert.Matches($"^csv row [0-9]+, column '{column}'$", e.Field);
        Assert.StartsWith(e.Field + ":", e.Message, StringComparison.Ordinal);
        Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The first data line is "csv row 1" when it has too few values or misses a column; a bad
    /// value on that same line must be reported as the same row, not as "csv row 0".
    /// </summary>
    [Fact]
    public void Decode_BadCellAndShortRowOnTheSameLine_NameTheSameRow()
    {
        var shortRow = Assert.Throws<Kiln.Core.KilnException>(() => Decode("age,balance,campaign,job\n35,1,2\n"));
        var badCell = Assert.Throws<Kiln.Core.KilnException>(() => Decode("age,balance,campaign,job\nold,1,2,a\n"));

        Assert.Equal("csv row 1", shortRow.Field);
        Assert.Equal("csv row 1, column 'age'", badCell.Field);
    }

    [Fact]
    public void Decode_InvalidUtf8_IsInvalid() =>
        KilnAssert.Invalid(() => CsvRequestDecoder.Decode(new byte[] { (byte)'a', 0xff, 0xfe, (byte)'\n' }, Bank), "body", "is not valid UTF-8");

    [Theory]
    [InlineData("header")]
    [InlineData("cell")]
    public void Decode_HugeValueInAnError_IsNotEchoedInTheMessage(string where)
    {
        var body = where == "header"
            ? $"age,balance,campaign,{Huge}\n35,1,2,a\n"
            : $"age,balance,campaign,job\n{Huge},1,2,a\n";

        var e = Assert.Throws<Kiln.Core.KilnException>(() => CsvRequestDecoder.Decode(Encoding.UTF8.GetBytes(body), Bank));

        AssertShortMessage(e);
    }
}
