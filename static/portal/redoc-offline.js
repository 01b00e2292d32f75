/* ReDoc's menu footer shows Redocly's logo from https://cdn.redoc.ly/. A self-hosted portal
   loads nothing from third parties (and may run offline, where the request fails), and ReDoc
   has no option to leave the logo out. Loaded before ReDoc: an image source on that host is
   never set, and the empty image is hidden; the "API docs by Redocly" link stays. */
(() => {
	const CDN = "https://cdn.redoc.ly/";
	const blocked = (element, name, value) =>
		element instanceof HTMLImageElement &&
		String(name).toLowerCase() === "src" &&
		String(value).startsWith(CDN);

	const setAttribute = Element.prototype.setAttribute;
	Element.prototype.setAttribute = function (name, value) {
		if (blocked(this, name, value)) {
			this.hidden = true;
			return;
		}
		return setAttribute.call(this, name, value);
	};

	const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
	Object.defineProperty(HTMLImageElement.prototype, "src", {
		...src,
		set(value) {
			if (blocked(this, "src", value)) {
				this.hidden = true;
				return;
			}
			src.set.call(this, value);
		},
	});
})();
