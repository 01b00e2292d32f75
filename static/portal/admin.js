/* The portal's own admin script. Loaded in the page head after unfold's Chart.js and before
   the form's own scripts (jQuery, select2) and unfold's app.js. */

/* --- Task form: the people and parent pickers follow the team chosen in the form ----------
   Django's autocomplete requests do not carry the form's values. Every autocomplete request
   from a form with a team select carries the chosen team (`team=`); the server offers only
   that team's people and tasks (portal/adminsite/autocomplete.py), and only if the person is
   in that team. Changing the team clears the picks that belonged to the previous one. */
document.addEventListener("DOMContentLoaded", () => {
	const team = document.querySelector("form select[name=team]");
	if (!team || !window.django || !window.django.jQuery) {
		return;
	}
	const $ = window.django.jQuery;

	$.ajaxPrefilter((options) => {
		const url = new URL(options.url, window.location.href);
		if (!team.value || !url.pathname.endsWith("/autocomplete/")) {
			return;
		}
		const param = `team=${encodeURIComponent(team.value)}`;
		if (typeof options.data === "string" && options.data) {
			options.data += `&${param}`;
		} else {
			options.url += (options.url.includes("?") ? "&" : "?") + param;
		}
	});

	let chosen = team.value;
	team.addEventListener("change", () => {
		if (team.value === chosen) {
			return;
		}
		chosen = team.value;
		for (const picker of team.form.querySelectorAll("select[data-follows-team]")) {
			$(picker).val(null).trigger("change");
		}
	});
});

/* --- New task form: the custom fields of the team chosen --------------------------------
   The form shows one team's custom fields (a tab after the built-in ones). Choosing another
   team reloads the form for that team when the fields shown would change, carrying what was
   typed as the admin's initial values (`?team=<id>&title=...`). */
document.addEventListener("DOMContentLoaded", () => {
	const team = document.querySelector("form select[name=team][data-custom-team]");
	if (!team) {
		return;
	}
	const shown = team.dataset.customTeam;
	const withFields = new Set((team.dataset.teamsWithFields || "").split(",").filter(Boolean));
	team.addEventListener("change", () => {
		if (team.value === shown || !(withFields.has(team.value) || withFields.has(shown))) {
			return;
		}
		const params = new URLSearchParams();
		for (const input of team.form.elements) {
			const skip =
				!input.name ||
				input.name === "csrfmiddlewaretoken" ||
				input.name.startsWith("cf_") ||
				input.name.startsWith("_") ||
				input.type === "file" ||
				((input.type === "checkbox" || input.type === "radio") && !input.checked);
			if (skip || input === team) {
				continue;
			}
			if (input.tagName === "SELECT" && input.multiple) {
				const picked = [...input.selectedOptions].map((o) => o.value);
				if (picked.length) {
					params.set(input.name, picked.join(","));
				}
			} else if (input.value) {
				params.set(input.name, input.value);
			}
		}
		params.set("team", team.value);
		window.location.assign(`${window.location.pathname}?${params}`);
	});
});

/* --- Dashboard charts: the value at the end of each bar -------------------------------------
   Chart.js (unfold's copy, loaded just before this file) draws no data labels by itself.
   Charts whose options say `plugins: {barValues: {display: true}}` get each bar's number
   above it (vertical bars) or after it (horizontal bars). */
if (window.Chart) {
	window.Chart.register({
		id: "barValues",
		defaults: { display: false, color: "#9ca3af" },
		afterDatasetsDraw(chart, _args, options) {
			if (!options.display) {
				return;
			}
			const horizontal = chart.options.indexAxis === "y";
			const { ctx } = chart;
			ctx.save();
			ctx.font = `600 12px ${window.Chart.defaults.font.family || "sans-serif"}`;
			ctx.fillStyle = options.color;
			ctx.textAlign = horizontal ? "left" : "center";
			ctx.textBaseline = horizontal ? "middle" : "bottom";
			chart.data.datasets.forEach((dataset, index) => {
				const meta = chart.getDatasetMeta(index);
				if (meta.hidden || meta.type !== "bar") {
					return;
				}
				meta.data.forEach((bar, i) => {
					const value = dataset.data[i];
					if (value === null || value === undefined) {
						return;
					}
					if (horizontal) {
						ctx.fillText(String(value), bar.x + 6, bar.y);
					} else {
						ctx.fillText(String(value), bar.x, bar.y - 4);
					}
				});
			});
			ctx.restore();
		},
	});
}
