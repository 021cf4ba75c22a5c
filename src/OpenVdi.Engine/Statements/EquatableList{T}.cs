using System.Collections;
using System.Runtime.CompilerServices;

namespace OpenVdi.Engine.Statements;

/// <summary>
/// An immutable list that compares by its items, so that statement records holding lists (devices,
/// MOVE clauses) are equal when they say the same thing, as records are meant to be.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[CollectionBuilder(typeof(EquatableList), nameof(EquatableList.Create))]
public sealed class EquatableList<T> : IReadOnlyList<T>, IEquatable<EquatableList<T>>
{
    private readonly T[] _items;

    // Takes ownership of the array: callers pass a copy nobody else holds.
    internal EquatableList(T[] items) => _items = items;

    /// <summary>Gets the item at <paramref name="index"/>.</summary>
    /// <param name="index">The 0-based index.</param>
    /// <returns>The item.</returns>
    public T this[int index] => _items[index];

    /// <summary>Gets the number of items.</summary>
    public int Count => _items.Length;

    /// <summary>Compares item by item with the default comparer of <typeparamref name="T"/>.</summary>
    /// <param name="other">The other list.</param>
    /// <returns>True when both hold equal items in the same order.</returns>
    public bool Equals(EquatableList<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EquatableList<T>);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>Enumerates the items in order.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Lists the items, for test output and debugging.</summary>
    /// <returns>The items in brackets, separated by commas.</returns>
    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}
