package org.stylealign.data;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Label records as a Tablesaw table: index, key, one string column per attribute, one double column per target. */
public final class LabelTable {

    private LabelTable() {
    }

    public static Table of(String name, List<LabelRecord> labels) {
        Set<String> attrs = new TreeSet<>();
        Set<String> targets = new TreeSet<>();
        for (LabelRecord l : labels) {
            attrs.addAll(l.attributes().keySet());
            targets.addAll(l.targets().keySet());
        }
        Table t = Table.create(name, IntColumn.create("index", labels.stream().mapToInt(LabelRecord::index).toArray()),
                StringColumn.create("key", labels.stream().map(LabelRecord::key).toArray(String[]::new)));
        for (String a : attrs) {
            t.addColumns(StringColumn.create(a, labels.stream().map(l -> l.attributes().getOrDefault(a, ""))
                    .toArray(String[]::new)));
        }
        for (String g : targets) {
            t.addColumns(DoubleColumn.create(g, labels.stream()
                    .mapToDouble(l -> l.targets().getOrDefault(g, Double.NaN)).toArray()));
        }
        return t;
    }
}
