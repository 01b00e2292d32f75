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
