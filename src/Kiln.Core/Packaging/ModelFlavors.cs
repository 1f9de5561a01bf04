namespace Kiln.Core.Packaging;

/// <summary>The model flavors Kiln can serve.</summary>
public static class ModelFlavors
{
    /// <summary>An ONNX graph served by ONNX Runtime.</summary>
    public const string Onnx = "onnx";

    /// <summary>An ML.NET model (<c>model.zip</c>) trained by Kiln, served by ML.NET or, for its tree models, Kiln's compiled tree engine.</summary>
    public const string MlNet = "mlnet";

    /// <summary>An XGBoost model in XGBoost's JSON format, served by Kiln's compiled tree engine.</summary>
    public const string XGBoost = "xgboost";

    /// <summary>A LightGBM model in LightGBM's text format, served by Kiln's compiled tree engine.</summary>
    public const string LightGbm = "lightgbm";
}
