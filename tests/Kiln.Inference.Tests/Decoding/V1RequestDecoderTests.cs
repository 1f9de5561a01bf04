using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;
using static Kiln.Inference.Tests.Support.Layouts;

namespace Kiln.Inference.Tests.Decoding;

public class V1RequestDecoderTests
{
    private static DecodedRequest Decode(string body, InputLayout? layout = null) =>
        V1RequestDecoder.Decode(Utf8(body), layout ?? Bank);

    [Fact]
    public void Decode_Records_AssembleOneTensorPerInput()
    {
        var request = Decode("""
            {"instances":[
              {"age":35,"balance":1500.5,"campaign":2,"job":"management"},
              {"job":"blue-collar","campaign":1,"balance":-320.75,"age":58.5}]}
            """);

        Assert.Equal(2, request.Batch.Rows);
        Assert.Equal([35f, 58.5f], TensorData.Of<float>(request.Batch.Inputs[0]));
        Assert.Equal([1500.5, -320.75], TensorData.Of<double>(request.Batch.Inputs[1]));
        Assert.Equal([2L, 1L], TensorData.Of<long>(request.Batch.Inputs[2]));
        Assert.Equal(["management", "blue-collar"], TensorData.Of<string>(request.Batch.Inputs[3]));
        Assert.All(request.Batch.Inputs, t => Assert.Equal([2L, 1L], t.Shape));
        Assert.Null(request.Id);
        Assert.Null(request.Outputs);
    }

    [Fact]
    public void Decode_RecordsNamingColumns_FillTheColumnsOfOneInput()
    {
        var request = Decode("""{"instances":[{"c":3,"a":1,"b":2},{"a":10,"b":20,"c":30}]}""", Features);

        var tensor = Assert.Single(request.Batch.Inputs);
        Assert.Equal([2L, 3L], tensor.Shape);
        Assert.Equal([1f, 2f, 3f, 10f, 20f, 30f], TensorData.Of<float>(tensor));
    }

    [Fact]
    public void Decode_RecordValueAsOneElementArray_IsTheValue()
    {
        var request = Decode("""{"instances":[{"age":[35],"balance":[1.5],"campaign":[2],"job":["admin."]}]}""");

        Assert.Equal([35f], TensorData.Of<float>(request.Batch.Inputs[0]));
        Assert.Equal(["admin."], TensorData.Of<string>(request.Batch.Inputs[3]));
    }

    [Fact]
    public void Decode_RecordNamingAWholeInput_TakesAnArrayForTheRow()
    {
        var request = Decode("""{"instances":[{"float_input":[1,2,3,4]},{"float_input":[5,6,7,8]}]}""", Matrix);

        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    [Fact]
    public void Decode_NullInFloatFields_BecomesNaN()
    {
        var request = Decode("""{"instances":[{"age":null,"balance":null,"campaign":2,"job":"x"}]}""");

        Assert.True(float.IsNaN(TensorData.Of<float>(request.Batch.Inputs[0])[0]));
        Assert.True(double.IsNaN(TensorData.Of<double>(request.Batch.Inputs[1])[0]));
    }

    [Fact]
    public void Decode_RowsOfTheSingleInput_FormARowMajorTensor()
    {
        var request = Decode("""{"instances":[[1,2,3,4],[5,6,7,8]]}""", Matrix);

        var tensor = Assert.Single(request.Batch.Inputs);
        Assert.Equal([2L, 4L], tensor.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], TensorData.Of<float>(tensor));
    }

    [Fact]
    public void Decode_ColumnarInputs_FillTheColumns()
    {
        var request = Decode("""{"inputs":{"a":[1,10],"b":[2,20],"c":[3,30]}}""", Features);

        Assert.Equal([1f, 2f, 3f, 10f, 20f, 30f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    [Fact]
    public void Decode_InputsAsTensorDictionary_TakesEachTensorWhole()
    {
        var request = Decode("""{"inputs":{"age":[[35],[58]],"balance":[1,2],"campaign":[[2],[1]],"job":["a","b"]}}""");

        Assert.Equal([35f, 58f], TensorData.Of<float>(request.Batch.Inputs[0]));
        Assert.Equal(["a", "b"], TensorData.Of<string>(request.Batch.Inputs[3]));
        Assert.All(request.Batch.Inputs, t => Assert.Equal([2L, 1L], t.Shape));
    }

    [Fact]
    public void Decode_InputsAsRows_TakeTheSingleInput()
    {
        var request = Decode("""{"inputs":[[1,2,3,4]]}""", Matrix);

        Assert.Equal([1f, 2f, 3f, 4f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    public static TheoryData<string, string, string> Errors() => new()
    {
        { "", "body", "is empty" },
        { "{\"instances\":[", "body", "is not valid JSON" },
        { "[]", "body", "expected a JSON object" },
        { "{}", "instances", "is required" },
        { """{"instances":[]}""", "instances", "is empty" },
        { """{"instances":"x"}""", "instances", "expected an array, got a string" },
        {
            """{"instances":[{"age":35,"balance":1,"campaign":2,"job":"a","zzz":1}]}""",
            "instances[0]", "unknown field 'zzz'"
        },
        {
            """{"instances":[{"age":35,"balance":1,"campaign":2,"job":"a"},{"age":35,"balance":1,"campaign":2}]}""",
            "instances[1]", "missing field 'job'"
        },
        {
            """{"instances":[{"age":"old","balance":1,"campaign":2,"job":"a"}]}""",
            "instances[0].age", "expected a number, got a string"
        },
        {
            """{"instances":[{"age":35,"balance":1,"campaign":2.5,"job":"a"}]}""",
            "instances[0].campaign", "expected an integer, got a number with a fraction"
        },
        {
            """{"instances":[{"age":35,"balance":1,"campaign":2,"job":7}]}""",
            "instances[0].job", "expected a string, got a number"
        },
        {
            """{"instances":[{"age":35,"balance":1,"campaign":2,"job":"a"},[35,1,2,"a"]]}""",
            "instances[1]", "expected a record (JSON object) like the first row, got an array"
        },
        { """{"instances":[[35,1,2,"a"]]}""", "instances", "need a model with one input" },
        { """{"inputs":{"age":[1,2],"balance":[1]}}""", "inputs.balance", "has 1 rows but an earlier input has 2" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Decode_MalformedRequest_IsInvalidNamingTheField(string body, string field, string mentions) =>
        KilnAssert.Invalid(() => Decode(body), field, mentions);

    public static TheoryData<string, string, string> MatrixErrors() => new()
    {
        { """{"instances":[[1,2,3,4],[5,6,7]]}""", "instances", "rows must all have the same length" },
        { """{"instances":[[1,2,3,4],[5,6,7,8,9]]}""", "instances", "rows must all have the same length" },
        { """{"instances":[[1,2,3],[4,5,6]]}""", "instances", "does not fit input 'float_input'" },
        { """{"instances":[[1,2,3,"4"]]}""", "instances[3]", "expected a number, got a string" },
        { """{"instances":[{"float_input":[1,2,3]}]}""", "instances[0].float_input", "has 3 values but its shape calls for 4" },
        { """{"instances":[{"float_input":[1,2,3,4,5]}]}""", "instances[0].float_input", "more than 4 values" },
        { """{"instances":[{"float_input":1}]}""", "instances[0].float_input", "expected an array of 4 values" },
    };

    [Theory]
    [MemberData(nameof(MatrixErrors))]
    public void Decode_MalformedRows_IsInvalidNamingTheField(string body, string field, string mentions) =>
        KilnAssert.Invalid(() => Decode(body, Matrix), field, mentions);

    [Fact]
    public void Decode_ColumnsOfDifferentLengths_IsInvalidNamingTheShortOne() =>
        KilnAssert.Invalid(() => Decode("""{"inputs":{"a":[1,2],"b":[1,2],"c":[1]}}""", Features), "inputs.c", "has 1 values but the first column has 2");

    [Fact]
    public void Decode_ColumnsWithAColumnMissing_IsInvalidNamingIt() =>
        KilnAssert.Invalid(() => Decode("""{"inputs":{"a":[1,2],"c":[1,2]}}""", Features), "inputs", "missing field 'b'");

    [Fact]
    public void Decode_RowsNestedDeeperThanTheLimit_IsInvalid()
    {
        var deep = new string('[', 17) + "1" + new string(']', 17);

        KilnAssert.Invalid(() => Decode($$"""{"instances":{{deep}}}""", Matrix), "instances", "nested deeper than 16 levels");
    }

    /// <summary>
    /// Rows of 4, 5 and 3 values add up to the 12 that three rows of four need, but they are not
    /// three rows of four: the fifth value of row 1 would silently become the first of row 2.
    /// </summary>
    [Fact]
    public void Decode_RowsOfDifferentLengthsAddingUpToTheShape_IsInvalid() =>
        KilnAssert.Invalid(() => Decode("""{"instances":[[1,2,3,4],[5,6,7,8,9],[10,11,12]]}""", Matrix), "instances");

    [Theory]
    [InlineData("zzz")]
    [InlineData("age")]
    public void Decode_HugeValueInAnError_IsNotEchoedInTheMessage(string where)
    {
        var body = where == "zzz"
            ? $$"""{"instances":[{"age":35,"balance":1,"campaign":2,"job":"a","{{Huge}}":1}]}"""
            : $$"""{"instances":[{"age":"{{Huge}}","balance":1,"campaign":2,"job":"a"}]}""";

        var e = Assert.Throws<Kiln.Core.KilnException>(() => Decode(body));

        AssertShortMessage(e);
    }
}
