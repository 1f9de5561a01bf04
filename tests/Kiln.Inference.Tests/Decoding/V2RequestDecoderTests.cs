using Kiln.Core.Tensors;
using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;
using static Kiln.Inference.Tests.Support.Layouts;

namespace Kiln.Inference.Tests.Decoding;

public class V2RequestDecoderTests
{
    private const string BankInputs = """
        {"name":"age","shape":[2,1],"datatype":"FP32","data":[35,58.5]},
        {"name":"balance","shape":[2,1],"datatype":"FP64","data":[1500.5,-320.75]},
        {"name":"campaign","shape":[2,1],"datatype":"INT64","data":[2,1]},
        {"name":"job","shape":[2,1],"datatype":"BYTES","data":["management","blue-collar"]}
        """;

    private static DecodedRequest Decode(string body, InputLayout? layout = null) =>
        V2RequestDecoder.Decode(Utf8(body), layout ?? Matrix);

    [Fact]
    public void Decode_FlatData_FillsRowMajorTensor()
    {
        var request = Decode("""{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8.5]}]}""");

        var tensor = Assert.Single(request.Batch.Inputs);
        Assert.Equal("float_input", tensor.Name);
        Assert.Equal(TensorDataType.Fp32, tensor.DataType);
        Assert.Equal([2L, 4L], tensor.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8.5f], TensorData.Of<float>(tensor));
        Assert.Equal(2, request.Batch.Rows);
        Assert.Null(request.Id);
        Assert.Null(request.Outputs);
    }

    [Fact]
    public void Decode_NestedData_GivesTheSameTensorAsFlat()
    {
        var flat = Decode("""{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""");
        var nested = Decode("""{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[[1,2,3,4],[5,6,7,8]]}]}""");

        Assert.Equal(flat.Batch.Inputs[0].Shape, nested.Batch.Inputs[0].Shape);
        Assert.Equal(TensorData.Of<float>(flat.Batch.Inputs[0]), TensorData.Of<float>(nested.Batch.Inputs[0]));
    }

    [Fact]
    public void Decode_TensorPerInputOfMixedTypes_KeepsEveryType()
    {
        var request = Decode($$"""{"inputs":[{{BankInputs}}]}""", Bank);

        Assert.Equal(["age", "balance", "campaign", "job"], request.Batch.Inputs.Select(t => t.Name));
        Assert.Equal([35f, 58.5f], TensorData.Of<float>(request.Batch.Inputs[0]));
        Assert.Equal([1500.5, -320.75], TensorData.Of<double>(request.Batch.Inputs[1]));
        Assert.Equal([2L, 1L], TensorData.Of<long>(request.Batch.Inputs[2]));
        Assert.Equal(["management", "blue-collar"], TensorData.Of<string>(request.Batch.Inputs[3]));
        Assert.All(request.Batch.Inputs, t => Assert.Equal([2L, 1L], t.Shape));
    }

    [Fact]
    public void Decode_InputsInAnotherOrder_AreReturnedInSignatureOrder()
    {
        var request = Decode("""
            {"inputs":[
              {"name":"job","shape":[1,1],"datatype":"BYTES","data":["admin."]},
              {"name":"campaign","shape":[1,1],"datatype":"INT64","data":[3]},
              {"name":"balance","shape":[1,1],"datatype":"FP64","data":[0]},
              {"name":"age","shape":[1,1],"datatype":"FP32","data":[41]}]}
            """, Bank);

        Assert.Equal(["age", "balance", "campaign", "job"], request.Batch.Inputs.Select(t => t.Name));
        Assert.Equal(["admin."], TensorData.Of<string>(request.Batch.Inputs[3]));
    }

    [Fact]
    public void Decode_ShapeWithoutTheColumnDimension_IsResolvedToTheInputShape()
    {
        var request = Decode("""{"inputs":[{"name":"age","shape":[2],"datatype":"FP32","data":[1,2]},{"name":"balance","shape":[2],"datatype":"FP64","data":[1,2]},{"name":"campaign","shape":[2],"datatype":"INT64","data":[1,2]},{"name":"job","shape":[2],"datatype":"BYTES","data":["a","b"]}]}""", Bank);

        Assert.All(request.Batch.Inputs, t => Assert.Equal([2L, 1L], t.Shape));
    }

    [Fact]
    public void Decode_OneInputPerColumn_AssemblesTheColumnsIntoOneTensor()
    {
        var request = Decode("""
            {"inputs":[
              {"name":"c","shape":[2],"datatype":"FP32","data":[3,30]},
              {"name":"a","shape":[2,1],"datatype":"FP32","data":[[1],[10]]},
              {"name":"b","shape":[2],"datatype":"INT64","data":[2,20]}]}
            """, Features);

        var tensor = Assert.Single(request.Batch.Inputs);
        Assert.Equal("features", tensor.Name);
        Assert.Equal([2L, 3L], tensor.Shape);
        Assert.Equal([1f, 2f, 3f, 10f, 20f, 30f], TensorData.Of<float>(tensor));
    }

    [Fact]
    public void Decode_RequestedOutputs_AreReturnedByName()
    {
        var request = Decode($$"""{"inputs":[{{BankInputs}}],"outputs":[{"name":"probabilities"}]}""", Bank);

        Assert.Equal(["probabilities"], request.Outputs);
    }

    [Fact]
    public void Decode_EmptyOutputsList_MeansEveryOutput()
    {
        var request = Decode($$"""{"inputs":[{{BankInputs}}],"outputs":[]}""", Bank);

        Assert.Null(request.Outputs);
    }

    [Fact]
    public void Decode_Id_IsEchoed()
    {
        var request = Decode("""{"id":"req-42","inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""");

        Assert.Equal("req-42", request.Id);
    }

    [Fact]
    public void Decode_NullInFloatInputs_BecomesNaN()
    {
        var request = Decode("""
            {"inputs":[
              {"name":"age","shape":[2,1],"datatype":"FP32","data":[null,1]},
              {"name":"balance","shape":[2,1],"datatype":"FP64","data":[2,null]},
              {"name":"campaign","shape":[2,1],"datatype":"INT64","data":[1,2]},
              {"name":"job","shape":[2,1],"datatype":"BYTES","data":["a","b"]}]}
            """, Bank);

        Assert.True(float.IsNaN(TensorData.Of<float>(request.Batch.Inputs[0])[0]));
        Assert.Equal(1f, TensorData.Of<float>(request.Batch.Inputs[0])[1]);
        Assert.True(double.IsNaN(TensorData.Of<double>(request.Batch.Inputs[1])[1]));
    }

    [Theory]
    [InlineData("INT64")]
    [InlineData("INT32")]
    [InlineData("UINT8")]
    [InlineData("FP16")]
    public void Decode_IntegersOrNarrowerFloatsIntoFp32Input_AreAccepted(string datatype)
    {
        var request = Decode($$"""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"{{datatype}}","data":[1,2,3,16777216]}]}""");

        Assert.Equal([1f, 2f, 3f, 16777216f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    [Fact]
    public void Decode_Int32IntoInt64Input_IsWidened()
    {
        var request = Decode("""
            {"inputs":[
              {"name":"age","shape":[1,1],"datatype":"FP32","data":[1]},
              {"name":"balance","shape":[1,1],"datatype":"FP32","data":[2]},
              {"name":"campaign","shape":[1,1],"datatype":"INT32","data":[7]},
              {"name":"job","shape":[1,1],"datatype":"BYTES","data":["a"]}]}
            """, Bank);

        Assert.Equal([7L], TensorData.Of<long>(request.Batch.Inputs[2]));
        Assert.Equal([2.0], TensorData.Of<double>(request.Batch.Inputs[1]));
    }

    public static TheoryData<string, string, string> Errors() => new()
    {
        { "", "body", "is empty" },
        { "{\"inputs\":", "body", "is not valid JSON" },
        { "[1,2]", "body", "expected a JSON object, got an array" },
        { "\"text\"", "body", "expected a JSON object, got a string" },
        { "{}", "inputs", "is required" },
        { """{"inputs":[]}""", "inputs", "is empty" },
        { """{"inputs":{"float_input":[1,2,3,4]}}""", "inputs", "expected an array" },
        { """{"inputs":[{"name":"nope","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "inputs[0].name", "'nope'" },
        { """{"inputs":[{"shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "inputs[0].name", "is required" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP64","data":[1,2,3,4]}]}""", "inputs[0].datatype", "FP64" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"BYTES","data":["1","2","3","4"]}]}""", "inputs[0].datatype", "BYTES" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FLOAT32","data":[1,2,3,4]}]}""", "inputs[0].datatype", "'FLOAT32' is not a v2 datatype" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"data":[1,2,3,4]}]}""", "inputs[0].datatype", "is required" },
        { """{"inputs":[{"name":"float_input","datatype":"FP32","data":[1,2,3,4]}]}""", "inputs[0].shape", "is required" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32"}]}""", "inputs[0].data", "is required" },
        { """{"inputs":[{"name":"float_input","shape":[-1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "inputs[0].shape", "non-negative" },
        { """{"inputs":[{"name":"float_input","shape":[1.5,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "inputs[0].shape", "non-negative integers" },
        { """{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[1,2,3,4,5,6,7]}]}""", "inputs[0].data", "has 7 values but its shape calls for 8" },
        { """{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8,9]}]}""", "inputs[0].data", "more than the 8 values" },
        { """{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[[1,2,3,4],[5,6,7]]}]}""", "inputs[0].data", "rows must all have the same length" },
        { """{"inputs":[{"name":"float_input","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6]}]}""", "inputs[0]", "does not fit input 'float_input'" },
        { """{"inputs":[{"name":"float_input","shape":[0,4],"datatype":"FP32","data":[]}]}""", "inputs[0]", "has no rows" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,"2",3,4]}]}""", "inputs[0].data[1]", "expected a number, got a string" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,true,4]}]}""", "inputs[0].data[2]", "expected a number, got a boolean" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,{}]}]}""", "inputs[0].data[3]", "got an object" },
        { """{"id":7,"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""", "id", "expected a string" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"nope"}]}""", "outputs[0].name", "'nope' is not an output" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{}]}""", "outputs[0].name", "is required" },
        { """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":"output_label"}""", "outputs", "expected an array" },
        {
            """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""",
            "inputs[1]", "more than once"
        },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Decode_MalformedRequest_IsInvalidNamingTheField(string body, string field, string mentions) =>
        KilnAssert.Invalid(() => Decode(body), field, mentions);

    public static TheoryData<string, string, string> BankErrors() => new()
    {
        // A fraction, or an integer beyond INT64, cannot go to an INT64 input.
        { """{"name":"campaign","shape":[2,1],"datatype":"INT64","data":[2,1.5]}""", "inputs[2].data[1]", "expected an integer, got a number with a fraction" },
        { """{"name":"campaign","shape":[2,1],"datatype":"INT64","data":[2,1e30]}""", "inputs[2].data[1]", "expected an integer" },
        { """{"name":"campaign","shape":[2,1],"datatype":"INT64","data":[2,null]}""", "inputs[2].data[1]", "expected an integer, got null" },
        { """{"name":"campaign","shape":[2,1],"datatype":"FP64","data":[2,1]}""", "inputs[2].datatype", "'campaign' takes INT64" },
        { """{"name":"campaign","shape":[3,1],"datatype":"INT64","data":[2,1,3]}""", "inputs[2]", "has 3 rows but an earlier input has 2" },
        { """{"name":"campaign","shape":[2,2],"datatype":"INT64","data":[2,1,3,4]}""", "inputs[2]", "does not fit input 'campaign'" },
    };

    [Theory]
    [MemberData(nameof(BankErrors))]
    public void Decode_BadInt64Input_IsInvalidNamingTheElement(string campaign, string field, string mentions)
    {
        var body = $$"""
            {"inputs":[
              {"name":"age","shape":[2,1],"datatype":"FP32","data":[35,58]},
              {"name":"balance","shape":[2,1],"datatype":"FP64","data":[1,2]},
              {{campaign}},
              {"name":"job","shape":[2,1],"datatype":"BYTES","data":["a","b"]}]}
            """;

        KilnAssert.Invalid(() => Decode(body, Bank), field, mentions);
    }

    [Fact]
    public void Decode_NumberIntoBytesInput_IsInvalid() =>
        KilnAssert.Invalid(
            () => Decode("""
                {"inputs":[
                  {"name":"age","shape":[1,1],"datatype":"FP32","data":[35]},
                  {"name":"balance","shape":[1,1],"datatype":"FP64","data":[1]},
                  {"name":"campaign","shape":[1,1],"datatype":"INT64","data":[2]},
                  {"name":"job","shape":[1,1],"datatype":"BYTES","data":[12]}]}
                """, Bank),
            "inputs[3].data[0]", "expected a string, got a number");

    [Fact]
    public void Decode_MissingInput_IsInvalidNamingIt() =>
        KilnAssert.Invalid(
            () => Decode("""
                {"inputs":[
                  {"name":"age","shape":[1,1],"datatype":"FP32","data":[35]},
                  {"name":"balance","shape":[1,1],"datatype":"FP64","data":[1]},
                  {"name":"campaign","shape":[1,1],"datatype":"INT64","data":[2]}]}
                """, Bank),
            "inputs", "missing input 'job'");

    [Fact]
    public void Decode_DataNestedDeeperThanTheLimit_IsInvalid()
    {
        var deep = new string('[', 17) + "1" + new string(']', 17);

        KilnAssert.Invalid(
            () => Decode($$"""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":{{deep}}}]}"""),
            "inputs[0].data", "nested deeper than");
    }

    [Fact]
    public void Decode_DataNestedBeyondTheJsonDepthLimit_IsInvalidJson()
    {
        var deep = new string('[', 100) + "1" + new string(']', 100);

        KilnAssert.Invalid(
            () => Decode($$"""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":{{deep}}}]}"""),
            "body", "is not valid JSON");
    }

    [Fact]
    public void Decode_ShapeWithMoreDimensionsThanTheLimit_IsInvalid()
    {
        var shape = string.Join(',', Enumerable.Repeat("1", 17));

        KilnAssert.Invalid(
            () => Decode($$"""{"inputs":[{"name":"float_input","shape":[{{shape}}],"datatype":"FP32","data":[1]}]}"""),
            "inputs[0].shape", "1 to 16 dimensions");
    }

    /// <summary>
    /// Nested rows of different lengths do not fit the shape [2,4], even when their values add up to 8:
    /// accepting them would silently move a value from one row into the next.
    /// </summary>
    [Fact]
    public void Decode_NestedRowsOfDifferentLengths_IsInvalid() =>
        KilnAssert.Invalid(
            () => Decode("""{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[[1,2,3,4,5],[6,7,8]]}]}"""),
            "inputs[0].data");

    public static TheoryData<string, string, string> ColumnErrors() => new()
    {
        {
            """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]},{"name":"b","shape":[2],"datatype":"FP32","data":[1,2]}]}""",
            "inputs", "missing field 'c'"
        },
        {
            """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]},{"name":"zzz","shape":[2],"datatype":"FP32","data":[1,2]}]}""",
            "inputs[1].name", "'zzz' is neither an input nor a column"
        },
        {
            """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]},{"name":"b","shape":[3],"datatype":"FP32","data":[1,2,3]},{"name":"c","shape":[2],"datatype":"FP32","data":[1,2]}]}""",
            "inputs[1].shape", "has 3 rows but inputs[0] has 2"
        },
        {
            """{"inputs":[{"name":"a","shape":[2,2],"datatype":"FP32","data":[1,2,3,4]}]}""",
            "inputs[0].shape", "column 'a' takes 1 value(s) per row"
        },
        {
            """{"inputs":[{"name":"a","shape":[2],"datatype":"FP64","data":[1,2]}]}""",
            "inputs[0].datatype", "'a' takes FP32"
        },
        {
            """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2,3]}]}""",
            "inputs[0].data", "more than the 2 values"
        },
        {
            """{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,"x"]}]}""",
            "a[1]", "expected a number, got a string"
        },
    };

    [Theory]
    [MemberData(nameof(ColumnErrors))]
    public void Decode_MalformedColumnRequest_IsInvalidNamingTheField(string body, string field, string mentions) =>
        KilnAssert.Invalid(() => Decode(body, Features), field, mentions);

    /// <summary>A tensor sent twice is refused (see <see cref="Errors"/>); a column sent twice must be too, not silently overwritten.</summary>
    [Fact]
    public void Decode_ColumnGivenTwice_IsInvalid() =>
        KilnAssert.Invalid(
            () => Decode("""{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1]},{"name":"a","shape":[1],"datatype":"FP32","data":[9]},{"name":"b","shape":[1],"datatype":"FP32","data":[2]},{"name":"c","shape":[1],"datatype":"FP32","data":[3]}]}""", Features),
            "inputs[1].name");

    public static TheoryData<string> HugeValues() => new()
    {
        $$"""{"inputs":[{"name":"{{Huge}}","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""",
        $$"""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"{{Huge}}","data":[1,2,3,4]}]}""",
        $$"""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,"{{Huge}}",3,4]}]}""",
        $$"""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"{{Huge}}"}]}""",
    };

    [Theory]
    [MemberData(nameof(HugeValues))]
    public void Decode_HugeValueInAnError_IsNotEchoedInTheMessage(string body)
    {
        var e = Assert.Throws<Kiln.Core.KilnException>(() => Decode(body));

        AssertShortMessage(e);
    }
}
