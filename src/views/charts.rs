//! Bar charts drawn on the server as SVG: the geometry here, the words and
//! formatted numbers in the template (`fragments/chart.html`), so a chart
//! works offline and reads the same in every language. Each chart's
//! numbers are also given to the template as a table.

use rust_decimal::{prelude::ToPrimitive, Decimal};
use serde::Serialize;

/// The drawing area, in SVG user units (the chart scales to its box).
pub const WIDTH: f64 = 360.0;
pub const HEIGHT: f64 = 160.0;
/// Room on the left for the axis labels, and below for the days.
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 20.0;
const TOP: f64 = 8.0;

/// One bar: where it stands, its series and its value (for its title).
#[derive(Debug, Serialize, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub series: usize,
    /// The category's index among the chart's labels.
    pub at: usize,
    pub value: String,
}

/// A line across the chart at a round value.
#[derive(Debug, Serialize, PartialEq)]
pub struct Tick {
    pub y: f64,
    /// Where its value is written, beside the line.
    pub text_y: f64,
    pub value: String,
}

/// A label under the bars (only some are printed when they are many).
#[derive(Debug, Serialize, PartialEq)]
pub struct Label {
    pub x: f64,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    /// Where the axis values end, left of the bars.
    pub axis_x: f64,
    pub baseline: f64,
    /// Where the labels under the bars stand.
    pub label_y: f64,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    pub labels: Vec<Label>,
}

/// A round step for an axis reaching `max`: 1, 2 or 5 times a power of
/// ten, the smallest giving at most five intervals; never below 1 for
/// counts (`whole`).
fn step_for(max: Decimal, whole: bool) -> Decimal {
    if max <= Decimal::ZERO {
        return Decimal::ONE;
    }
    let mut power = Decimal::ONE;
    while power * Decimal::TEN <= max {
        power *= Decimal::TEN;
    }
    while power > max && power > Decimal::new(1, 2) {
        power /= Decimal::TEN;
    }
    let tenth = power / Decimal::TEN;
    let candidates = [
        tenth,
        tenth * Decimal::TWO,
        tenth * Decimal::from(5),
        power,
        power * Decimal::TWO,
        power * Decimal::from(5),
    ];
    let step = candidates
        .into_iter()
        .find(|step| max / *step <= Decimal::from(5))
        .unwrap_or(power * Decimal::TEN);
    if whole {
        step.max(Decimal::ONE)
    } else {
        step
    }
}

fn units(value: Decimal) -> f64 {
    value.to_f64().unwrap_or_default()
}

/// Rounded to a tenth of a unit: enough for a screen, and short in the
/// page.
fn tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Bars for each category (`labels`), one per series side by side;
/// `series[s][i]` is series `s`'s value at category `i`. Every `every`-th
/// label counted back from the last (today's) is printed.
#[must_use]
pub fn bars(labels: &[String], series: &[Vec<Decimal>], every: usize) -> Chart {
    let max = series
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or_default()
        .max(Decimal::ZERO);
    let whole = series.iter().flatten().all(|value| value.fract().is_zero());
    let step = step_for(max, whole);
    // The axis ends on the first round value at or above the highest bar.
    let mut top = step;
    while top < max {
        top += step;
    }
    let plot_height = HEIGHT - BOTTOM - TOP;
    let baseline = HEIGHT - BOTTOM;
    let slot = (WIDTH - LEFT) / labels.len().max(1) as f64;
    let gap = (slot * 0.2).min(6.0);
    let bar_width = (slot - gap) / series.len().max(1) as f64;
    let scale = |value: Decimal| units(value) / units(top) * plot_height;

    let mut bars = Vec::new();
    for (s, values) in series.iter().enumerate() {
        for (at, value) in values.iter().enumerate() {
            let height = scale(*value).max(0.0);
            bars.push(Bar {
                x: tenth(LEFT + slot * at as f64 + gap / 2.0 + bar_width * s as f64),
                y: tenth(baseline - height),
                width: tenth(bar_width.max(1.0)),
                height: tenth(height),
                series: s,
                at,
                value: value.normalize().to_string(),
            });
        }
    }
    let mut ticks = Vec::new();
    let mut value = Decimal::ZERO;
    while value <= top {
        let y = tenth(baseline - scale(value));
        ticks.push(Tick {
            y,
            text_y: y + 4.0,
            value: value.normalize().to_string(),
        });
        value += step;
    }
    let every = every.max(1);
    let labels = labels
        .iter()
        .enumerate()
        .filter(|(at, _)| (labels.len() - 1 - at).is_multiple_of(every))
        .map(|(at, text)| Label {
            x: tenth(LEFT + slot * at as f64 + slot / 2.0),
            text: text.clone(),
        })
        .collect();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        axis_x: LEFT - 6.0,
        baseline,
        label_y: HEIGHT - 5.0,
        bars,
        ticks,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn axes_end_on_a_round_value() {
        assert_eq!(step_for(d("7"), true), d("2"));
        assert_eq!(step_for(d("18400"), false), d("5000"));
        assert_eq!(step_for(d("100000"), false), d("20000"));
        assert_eq!(step_for(d("1"), true), d("1"), "no half orders");
        assert_eq!(step_for(d("0"), true), d("1"));
        assert_eq!(step_for(d("0.5"), false), d("0.1"));
    }

    #[test]
    fn the_highest_bar_reaches_the_top_tick_it_equals() {
        let labels: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let chart = bars(&labels, &[vec![d("5"), d("10")]], 1);
        let top = chart.ticks.last().unwrap();
        assert_eq!(top.value, "10");
        assert_eq!(chart.bars[1].y, top.y, "10 reaches the 10 line");
        assert_eq!(chart.bars[0].height * 2.0, chart.bars[1].height);
        assert_eq!(chart.ticks.len(), 6, "0, 2, 4, 6, 8, 10");
    }

    #[test]
    fn series_stand_side_by_side_and_labels_thin_out() {
        let labels: Vec<String> = (1..=30).map(|day| day.to_string()).collect();
        let zeros = vec![Decimal::ZERO; 30];
        let chart = bars(&labels, &[zeros.clone(), zeros], 7);
        assert_eq!(chart.bars.len(), 60);
        assert!(
            chart.bars[30].x > chart.bars[0].x,
            "the second series beside the first"
        );
        assert!(chart.bars[30].x < chart.bars[1].x, "within the same day");
        let printed: Vec<&str> = chart.labels.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(printed, ["2", "9", "16", "23", "30"]);
        assert!(chart.bars.iter().all(|bar| bar.height == 0.0));
    }
}
