using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// Lists in settings may be given as one comma-separated value (<c>Owners__Sources=Fallback,Directory</c>), which then
/// replaces the whole list. Indexed keys (<c>Owners__Sources__0</c>) can only change entries: an environment variable
/// could never shorten a list that appsettings.json fills.
/// </summary>
public static class SettingLists
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/>, honouring single-value lists.</summary>
    public static OptionsBuilder<TOptions> BindSettings<TOptions>(this OptionsBuilder<TOptions> builder, string section)
        where TOptions : class =>
        builder.BindConfiguration(section).Configure<IConfiguration>((options, configuration) => Apply(options, configuration.GetSection(section)));

    /// <summary>Replaces every list of scalars under <paramref name="section"/> that the settings give as one value.</summary>
    public static void Apply(object options, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || property.GetIndexParameters().Length > 0) continue;
            var child = section.GetSection(property.Name);
            var type = property.PropertyType;
            if (ListElement(type) is { } element)
            {
                if (IsScalar(element))
                {
                    // An empty value is what a parent key carries in several configuration sources; it names no list.
                    if (child.Value is { Length: > 0 } single && property.CanWrite) property.SetValue(options, Parse(single, element, type, child.Path));
                }
                else if (property.GetValue(options) is IList items)
                {
                    for (var i = 0; i < items.Count; i++)
                        if (items[i] is { } item) Apply(item, child.GetSection(i.ToString(CultureInfo.InvariantCulture)));
                }
            }
            else if (IsSettingsObject(type) && property.GetValue(options) is { } nested)
            {
                Apply(nested, child);
            }
        }
    }

    private static IList Parse(string value, Type element, Type listType, string key)
    {
        var list = (IList)Activator.CreateInstance(listType.IsInterface ? typeof(List<>).MakeGenericType(element) : listType)!;
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (element == typeof(string))
            {
                list.Add(item);
            }
            else if (element.IsEnum && !char.IsAsciiDigit(item[0]) && item[0] != '-' && Enum.TryParse(element, item, ignoreCase: true, out var parsed))
            {
                list.Add(parsed);
            }
            else
            {
                throw new InvalidOperationException(
                    $"{key}: '{item}' is not one of {string.Join(", ", Enum.GetNames(element))}.");
            }
        }
        return list;
    }

    private static Type? ListElement(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(List<>) || type.GetGenericTypeDefinition() == typeof(IList<>)
                               || type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            ? type.GetGenericArguments()[0]
            : null;

    private static bool IsScalar(Type type) => type == typeof(string) || type.IsEnum;

    /// <summary>Nested settings objects are the service's own classes; strings, numbers, times and URIs are values.</summary>
    private static bool IsSettingsObject(Type type) =>
        type.IsClass && type != typeof(string) && type.Assembly == typeof(SettingLists).Assembly;
}
