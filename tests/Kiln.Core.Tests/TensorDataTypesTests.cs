using Kiln.Core.Tensors;

namespace Kiln.Core.Tests;

public class TensorDataTypesTests
{
    [Theory]
    [InlineData(TensorDataType.Int32, TensorDataType.Int64, true)]
    [InlineData(TensorDataType.Fp32, TensorDataType.Fp64, true)]
    [InlineData(TensorDataType.Int32, TensorDataType.Fp64, true)]
    [InlineData(TensorDataType.Int64, TensorDataType.Int32, false)]
    [InlineData(TensorDataType.Fp64, TensorDataType.Fp32, false)]
    [InlineData(TensorDataType.Fp32, TensorDataType.Int64, false)]
    [InlineData(TensorDataType.Bytes, TensorDataType.Fp32, false)]
    [InlineData(TensorDataType.Bool, TensorDataType.Bool, true)]
    public void CanWidenTo_FollowsMlflowSafeWidening(TensorDataType from, TensorDataType to, bool expected) =>
        Assert.Equal(expected, from.CanWidenTo(to));

    [Fact]
    public void V2Names_RoundTripForEveryType()
    {
        foreach (var type in Enum.GetValues<TensorDataType>())
        {
            Assert.True(TensorDataTypes.TryParseV2Name(type.ToV2Name(), out var parsed));
            Assert.Equal(type, parsed);
        }

        Assert.False(TensorDataTypes.TryParseV2Name("fp32", out _));
    }
}
