// meetings: copy buttons for calendar subscription links (the page works without it).
document.querySelectorAll(".copy-button").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    field.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value); } else { document.execCommand("copy"); }
    button.textContent = "Kopierad";
  });
});
