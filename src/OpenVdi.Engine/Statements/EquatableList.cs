namespace OpenVdi.Engine.Statements;

/// <summary>Creates <see cref="EquatableList{T}"/> instances; also what collection expressions (<c>["a", "b"]</c>) call.</summary>
public static class EquatableList
{
    /// <summary>Creates a list holding a copy of <paramref name="items"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items, in order.</param>
    /// <returns>The list.</returns>
    public static EquatableList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());

    /// <summary>Creates a list holding the items of <paramref name="items"/>.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items, in order.</param>
    /// <returns>The list.</returns>
    public static EquatableList<T> From<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new(items.ToArray());
    }

    /// <summary>Returns an empty list.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <returns>A list with no items.</returns>
    public static EquatableList<T> Empty<T>() => new([]);
}
