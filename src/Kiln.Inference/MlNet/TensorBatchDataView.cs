using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Inference.MlNet;

/// <summary>
/// A decoded batch seen as an ML.NET <see cref="IDataView"/> with the model's two vector columns,
/// read straight from the batch's columnar arrays: no row objects are built for a large batch.
/// </summary>
internal sealed class TensorBatchDataView : IDataView
{
    private readonly BatchColumns _columns;

    public TensorBatchDataView(DataViewSchema schema, BatchColumns columns)
    {
        Schema = schema;
        _columns = columns;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    /// <summary>The input schema of a model with these feature counts (a vector without features is left out).</summary>
    public static DataViewSchema CreateSchema(int numeric, int categorical)
    {
        var builder = new DataViewSchema.Builder();
        if (numeric > 0)
        {
            builder.AddColumn(MlNetFeatureRow.NumericColumn, new VectorDataViewType(NumberDataViewType.Single, numeric));
        }

        if (categorical > 0)
        {
            builder.AddColumn(MlNetFeatureRow.CategoricalColumn, new VectorDataViewType(TextDataViewType.Instance, categorical));
        }

        return builder.ToSchema();
    }

    public long? GetRowCount() => _columns.Rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TensorBatchDataView _view;
        private long _position = -1;

        public Cursor(TensorBatchDataView view) => _view = view;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _view.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._columns.Rows)
            {
                _position = _view._columns.Rows;
                return false;
            }

            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Name switch
            {
                MlNetFeatureRow.NumericColumn when typeof(TValue) == typeof(VBuffer<float>) => (ValueGetter<VBuffer<float>>)GetNumeric,
                MlNetFeatureRow.CategoricalColumn when typeof(TValue) == typeof(VBuffer<ReadOnlyMemory<char>>) => (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)GetCategorical,
                _ => throw new InvalidOperationException($"Column '{column.Name}' cannot be read as {typeof(TValue).Name}."),
            };
            return (ValueGetter<TValue>)getter;
        }

        private void GetNumeric(ref VBuffer<float> value)
        {
            var slots = _view._columns.Numeric;
            var editor = VBufferEditor.Create(ref value, slots.Length);
            var row = (int)_position;
            for (var s = 0; s < slots.Length; s++)
            {
                editor.Values[s] = slots[s][row];
            }

            value = editor.Commit();
        }

        private void GetCategorical(ref VBuffer<ReadOnlyMemory<char>> value)
        {
            var slots = _view._columns.Categorical;
            var editor = VBufferEditor.Create(ref value, slots.Length);
            var row = (int)_position;
            for (var s = 0; s < slots.Length; s++)
            {
                editor.Values[s] = (slots[s][row] ?? string.Empty).AsMemory();
            }

            value = editor.Commit();
        }
    }
}
