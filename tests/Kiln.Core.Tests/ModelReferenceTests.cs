using Kiln.Core;
using Kiln.Core.Registry;

namespace Kiln.Core.Tests;

public class ModelReferenceTests
{
    [Theory]
    [InlineData("bank", "bank", null, null)]
    [InlineData("bank@champion", "bank", null, "champion")]
    [InlineData("bank/12", "bank", 12, null)]
    [InlineData("my.model-v2_x/1", "my.model-v2_x", 1, null)]
    public void Parse_ValidReference_ReturnsParts(string text, string name, int? version, string? alias)
    {
        var reference = ModelReference.Parse(text, "model");

        Assert.Equal(name, reference.ModelName);
        Assert.Equal(version, reference.Version);
        Assert.Equal(alias, reference.Alias);
        Assert.Equal(text, reference.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("bank/0")]
    [InlineData("bank/x")]
    [InlineData("bank@")]
    [InlineData("../etc/passwd")]
    [InlineData("-bank")]
    [InlineData("bank@a/b")]
    public void Parse_InvalidReference_ThrowsNamingTheField(string text)
    {
        var error = Assert.Throws<KilnException>(() => ModelReference.Parse(text, "model"));

        Assert.Equal("model", error.Field);
    }
}
