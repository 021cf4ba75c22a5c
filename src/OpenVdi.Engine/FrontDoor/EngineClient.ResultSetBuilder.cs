using System.Globalization;
using System.Text.Json;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor.Internal;

namespace OpenVdi.Engine.FrontDoor;

public sealed partial class EngineClient
{
    /// <summary>A result set being received: its columns and types, then its rows.</summary>
    private sealed class ResultSetBuilder
    {
        private readonly string[] _names;
        private readonly string[] _types;
        private readonly List<IReadOnlyList<object?>> _rows = [];

        private ResultSetBuilder(string[] names, string[] types)
        {
            _names = names;
            _types = types;
        }

        public static ResultSetBuilder Begin(Frame frame)
        {
            var columns = frame.Array("columns");
            var names = new string[columns.GetArrayLength()];
            var types = new string[names.Length];
            int i = 0;
            foreach (var column in columns.EnumerateArray())
            {
                if (column.ValueKind != JsonValueKind.Object
                    || !column.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                    || !column.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                    || !ColumnTypes.IsKnown(type.GetString()!))
                {
                    throw new FrameException("A result set's column is not {\"name\": …, \"type\": …} with a known type.");
                }

                names[i] = name.GetString()!;
                types[i] = type.GetString()!;
                i++;
            }

            return new ResultSetBuilder(names, types);
        }

        public void AddRow(Frame frame)
        {
            var values = frame.Array("values");
            if (values.GetArrayLength() != _types.Length)
            {
                throw new FrameException(string.Create(CultureInfo.InvariantCulture, $"A row has {values.GetArrayLength()} values for {_types.Length} columns."));
            }

            var row = new object?[_types.Length];
            int i = 0;
            foreach (var value in values.EnumerateArray())
            {
                row[i] = ColumnTypes.Read(value, _types[i]);
                i++;
            }

            _rows.Add(row);
        }

        public ResultSet End(Frame frame)
        {
            int rows = frame.Int("rows");
            return rows == _rows.Count
                ? new ResultSet(_names, _rows)
                : throw new FrameException(string.Create(CultureInfo.InvariantCulture, $"A result set announced {rows} rows and carried {_rows.Count}."));
        }
    }
}
