using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;
using static Kiln.Inference.Tests.Support.Layouts;

namespace Kiln.Inference.Tests.Decoding;

public class MlflowRequestDecoderTests
{
    private static DecodedRequest Decode(string body, InputLayout? layout = null) =>
        MlflowRequestDecoder.Decode(Utf8(body), layout ?? Bank);

    private static void AssertBankRows(DecodedRequest request)
    {
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
    public void Decode_DataframeSplit_FillsColumnsByName()
    {
        var request = Decode("""
            {"dataframe_split":{"columns":["job","age","campaign","balance"],
             "data":[["management",35,2,1500.5],["blue-collar",58,1,-320.75]]}}
            """);

        AssertBankRows(request);
    }

    [Fact]
    public void Decode_DataframeSplitWithIndex_IgnoresTheIndex()
    {
        var request = Decode("""
            {"dataframe_split":{"index":[7,8],"columns":["age","balance","campaign","job"],
             "data":[[35,1500.5,2,"management"],[58,-320.75,1,"blue-collar"]]}}
            """);

        AssertBankRows(request);
    }

    [Fact]
    public void Decode_DataframeSplitWithoutColumns_TakesRowsOfTheSingleInput()
    {
        var request = Decode("""{"dataframe_split":{"data":[[1,2,3,4],[5,6,7,8]]}}""", Matrix);

        Assert.Equal([2L, 4L], request.Batch.Inputs[0].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    [Fact]
    public void Decode_DataframeRecords_FillsColumnsByName()
    {
        var request = Decode("""
            {"dataframe_records":[
              {"age":35,"balance":1500.5,"campaign":2,"job":"management"},
              {"age":58,"balance":-320.75,"campaign":1,"job":"blue-collar"}]}
            """);

        AssertBankRows(request);
    }

    [Fact]
    public void Decode_InputsAsColumnDictionary_FillsColumnsByName()
    {
        var request = Decode("""{"inputs":{"b":[2,20],"a":[1,10],"c":[3,30]}}""", Features);

        Assert.Equal([1f, 2f, 3f, 10f, 20f, 30f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    [Fact]
    public void Decode_InputsAsTensorDictionary_TakesEachTensorWhole()
    {
        var request = Decode("""{"inputs":{"age":[[35],[58]],"balance":[[1500.5],[-320.75]],"campaign":[[2],[1]],"job":[["management"],["blue-collar"]]}}""");

        AssertBankRows(request);
    }

    [Fact]
    public void Decode_InstancesAsRecords_FillsColumnsByName()
    {
        var request = Decode("""{"instances":[{"age":35,"balance":1500.5,"campaign":2,"job":"management"},{"age":58,"balance":-320.75,"campaign":1,"job":"blue-collar"}]}""");

        AssertBankRows(request);
    }

    [Fact]
    public void Decode_InputsAsRows_TakeTheSingleInput()
    {
        var request = Decode("""{"inputs":[[1,2,3,4]],"params":{"threshold":0.5}}""", Matrix);

        Assert.Equal([1f, 2f, 3f, 4f], TensorData.Of<float>(request.Batch.Inputs[0]));
    }

    [Fact]
    public void Decode_NullInFloatColumns_BecomesNaN()
    {
        var request = Decode("""{"dataframe_split":{"columns":["age","balance","campaign","job"],"data":[[null,null,2,"x"]]}}""");

        Assert.True(float.IsNaN(TensorData.Of<float>(request.Batch.Inputs[0])[0]));
        Assert.True(double.IsNaN(TensorData.Of<double>(request.Batch.Inputs[1])[0]));
    }

    public static TheoryData<string, string, string> Errors() => new()
    {
        { "", "body", "is empty" },
        { "{\"dataframe_split\"", "body", "is not valid JSON" },
        { "[1]", "body", "expected a JSON object" },
        { "{}", "body", "must have one of dataframe_split, dataframe_records, instances, inputs" },
        { """{"params":{}}""", "body", "must have one of" },
        {
            """{"dataframe_split":{"columns":["age"],"data":[[1]]},"inputs":{"age":[1]}}""",
            "body", "has both 'dataframe_split' and 'inputs'"
        },
        {
            """{"dataframe_records":[],"instances":[]}""",
            "body", "has both 'dataframe_records' and 'instances'"
        },
        { """{"inputs":[[1]],"columns":["a"]}""", "body", "unknown key 'columns'" },
        { """{"dataframe_split":[]}""", "dataframe_split", "expected a JSON object" },
        { """{"dataframe_split":{"columns":["age"]}}""", "dataframe_split.data", "is required" },
        { """{"dataframe_split":{"columns":["age","balance","campaign","job"],"data":[]}}""", "dataframe_split.data", "is empty" },
        { """{"dataframe_split":{"columns":"age","data":[[1]]}}""", "dataframe_split.columns", "expected an array" },
        { """{"dataframe_split":{"columns":[1],"data":[[1]]}}""", "dataframe_split.columns[0]", "expected a column name" },
        { """{"dataframe_split":{"columns":["age","salary"],"data":[[1,2]]}}""", "dataframe_split.columns", "unknown field 'salary'" },
        {
            """{"dataframe_split":{"columns":["age","balance","campaign","job"],"data":[[35,1,2,"a"],[35,1,2]]}}""",
            "dataframe_split.data[1]", "has 3 values but there are 4 columns"
        },
        {
            """{"dataframe_split":{"columns":["age","balance","campaign","job"],"data":[[35,1,2,"a"],"row"]}}""",
            "dataframe_split.data[1]", "expected an array"
        },
        {
            """{"dataframe_split":{"columns":["age","balance","campaign"],"data":[[35,1,2]]}}""",
            "dataframe_split.data[0]", "missing field 'job'"
        },
        {
            """{"dataframe_split":{"columns":["age","balance","campaign","job"],"data":[[35,"rich",2,"a"]]}}""",
            "dataframe_split.data[0] (column 'balance')", "expected a number, got a string"
        },
        {
            """{"dataframe_split":{"columns":["age","balance","campaign","job"],"data":[[35,1,0.5,"a"]]}}""",
            "dataframe_split.data[0] (column 'campaign')", "expected an integer, got a number with a fraction"
        },
        { """{"dataframe_records":{"age":[1]}}""", "dataframe_records", "expected an array" },
        {
            """{"dataframe_records":[{"age":35,"balance":1,"campaign":2,"job":"a"},{"age":35,"balance":1,"job":"a"}]}""",
            "dataframe_records[1]", "missing field 'campaign'"
        },
        {
            """{"dataframe_records":[{"age":35,"balance":1,"campaign":2,"job":"a","extra":true}]}""",
            "dataframe_records[0]", "unknown field 'extra'"
        },
        {
            """{"dataframe_records":[{"age":35,"balance":1,"campaign":"2","job":"a"}]}""",
            "dataframe_records[0].campaign", "expected an integer, got a string"
        },
        { """{"inputs":{"age":[1,2],"balance":[1,2],"campaign":[1],"job":["a","b"]}}""", "inputs.campaign", "has 1 rows but an earlier input has 2" },
        { """{"inputs":{"age":[1],"salary":[1]}}""", "inputs", "unknown field 'salary'" },
        { """{"inputs":{}}""", "inputs", "is empty" },
        { """{"instances":[]}""", "instances", "is empty" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Decode_MalformedRequest_IsInvalidNamingTheField(string body, string field, string mentions) =>
        KilnAssert.Invalid(() => Decode(body), field, mentions);

    [Fact]
    public void Decode_ColumnsOfDifferentLengths_IsInvalidNamingTheShortOne() =>
        KilnAssert.Invalid(() => Decode("""{"inputs":{"a":[1,2],"b":[1,2,3],"c":[1,2]}}""", Features), "inputs.b", "has 3 values but the first column has 2");

    [Fact]
    public void Decode_RowsNestedDeeperThanTheLimit_IsInvalid()
    {
        var deep = new string('[', 17) + "1" + new string(']', 17);

        KilnAssert.Invalid(() => Decode($$"""{"inputs":{{deep}}}""", Matrix), "inputs", "nested deeper than 16 levels");
    }

    [Theory]
    [InlineData("key")]
    [InlineData("column")]
    [InlineData("value")]
    public void Decode_HugeValueInAnError_IsNotEchoedInTheMessage(string where)
    {
        var body = where switch
        {
            "key" => $$"""{"inputs":[[1,2,3,4]],"{{Huge}}":1}""",
            "column" => $$$"""{"dataframe_split":{"columns":["{{{Huge}}}"],"data":[[1]]}}""",
            _ => $$$"""{"dataframe_split":{"columns":["age","balance","campaign","job"],"data":[["{{{Huge}}}",1,2,"a"]]}}""",
        };

        var e = Assert.Throws<Kiln.Core.KilnException>(() => Decode(body));

        AssertShortMessage(e);
    }
}
